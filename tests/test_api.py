"""The public API: every exported name exists, is documented and is in the docs."""

import inspect
import pathlib

import pytest

import kreg

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_every_public_name_exists_and_has_a_docstring():
    for name in kreg.__all__:
        obj = getattr(kreg, name)
        if name == "__version__":
            assert isinstance(obj, str) and obj.count(".") == 2
            continue
        doc = inspect.getdoc(obj)
        assert doc and len(doc.splitlines()) >= 2, name


def test_public_functions_and_classes_have_examples_and_are_in_the_api_page():
    api = (DOCS / "api.md").read_text()
    for name in kreg.__all__:
        obj = getattr(kreg, name)
        if inspect.ismodule(obj) or name == "__version__":
            continue
        assert "Examples:" in inspect.getdoc(obj), name
        assert f"::: kreg.{name}" in api, name


def test_docs_navigation_lists_every_page():
    nav = (DOCS.parent / "mkdocs.yml").read_text()
    for page in DOCS.glob("*.md"):
        assert page.name in nav, page.name


def test_import_kreg_is_light_and_registers_with_keras_later():
    # A fresh process: `import kreg` imports neither Keras nor NumPy; importing
    # Keras afterwards registers kreg's saved classes, and kreg.compare stays the
    # function after its module is imported.
    import subprocess
    import sys

    code = (
        "import sys, kreg\n"
        "assert 'keras' not in sys.modules and 'numpy' not in sys.modules\n"
        "import keras\n"
        "names = ['kreg>L1', 'kreg>L2', 'kreg>L1L2', 'kreg>ProximalSGD',"
        " 'kreg>ProximalAdam']\n"
        "assert all(keras.saving.get_registered_object(n) for n in names)\n"
        "import kreg.compare, kreg.sweep\n"
        "assert callable(kreg.compare) and callable(kreg.sweep)\n"
        "assert kreg.compare.__module__ == 'kreg.compare'\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


@pytest.mark.parametrize(
    "module", ["kreg.penalties", "kreg.regularizers", "kreg.proximal"]
)
def test_a_module_that_imports_keras_first_imports_and_registers(module):
    # A fresh process whose first Keras import comes from a kreg module that the
    # registration itself needs (kreg.penalties was once half-imported then).
    import subprocess
    import sys

    code = (
        f"import {module}, keras\n"
        "assert keras.saving.get_registered_object('kreg>GroupL1')\n"
        "from kreg.penalties import l2_penalty\n"
        "print(float(l2_penalty([[1.0, 2.0]], 0.5, 1)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout.strip()) == 0.25 * 5
