// Tells MathJax (loaded after this file) to render the formulas that
// pymdownx.arithmatex marks up. Offline, the formulas stay readable as TeX source.
window.MathJax = {
  tex: { inlineMath: [["\\(", "\\)"]], displayMath: [["\\[", "\\]"]] },
  options: { processHtmlClass: "arithmatex" },
};
