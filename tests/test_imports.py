"""No import cycles inside the `assessments` app.

A cycle works only while the modules happen to load in one order, and an import
hidden inside a function to dodge one hides the tangle rather than removing it.
The graph counts imports wherever they are written: at the top, inside functions
and classes. An import of a package counts as an import of its `__init__.py`;
importing a submodule does not count as importing its package.
"""

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def module_names(root, package):
    """{dotted module name: path} for every Python file in `package` under `root`."""
    names = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imported_modules(name, path, known):
    """The modules in `known` that the module `name` (at `path`) imports."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from its own package, or a parent
                package = name.split(".") if is_package else name.split(".")[:-1]
                anchor = ".".join(package[: len(package) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                # `from a.b import c` imports the module a.b.c if there is one, else a.b.
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return found & set(known) - {name}


def import_graph(root, package):
    known = module_names(root, package)
    return {name: imported_modules(name, path, known) for name, path in known.items()}


def find_cycle(graph):
    """One import cycle as [a, b, ..., a], or None."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return error.args[1]
    return None


def test_the_assessments_app_has_no_import_cycles():
    graph = import_graph(ROOT, "assessments")
    assert "assessments.forms.services" in graph["assessments.views.services"], "sanity"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.fixture
def write(tmp_path):
    def write(path, source=""):
        file = tmp_path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(source)

    write("pkg/__init__.py")
    return write


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path, write):
    write("pkg/a.py", "from pkg.b import thing\n")
    write("pkg/b.py", "def thing():\n    from pkg import a\n    return a\n")
    assert find_cycle(import_graph(tmp_path, "pkg")) in (
        ["pkg.a", "pkg.b", "pkg.a"],
        ["pkg.b", "pkg.a", "pkg.b"],
    )


def test_a_cycle_through_a_package_and_relative_imports_is_found(tmp_path, write):
    write("pkg/models/__init__.py", "from .one import One\n")
    write("pkg/models/one.py", "from ..models import Two\n")
    assert find_cycle(import_graph(tmp_path, "pkg")) is not None


def test_imports_that_go_one_way_are_no_cycle(tmp_path, write):
    write(
        "pkg/models/__init__.py", "from pkg.models.one import One\nfrom pkg.models.two import Two\n"
    )
    write("pkg/models/one.py", "from pkg.models.choices import Phase\n")
    write(
        "pkg/models/two.py",
        "import pkg.models.choices\n\ndef f():\n    from pkg.models.one import One\n",
    )
    write("pkg/models/choices.py", "import os\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.models.two"] == {"pkg.models.choices", "pkg.models.one"}
    assert find_cycle(graph) is None
