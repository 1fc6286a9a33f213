"""docs/security-review.md: every entry point it lists points to a test that exists.

An entry is a row of one of its tables; a test is named ``path/to/test_file.py::Class::test``
(path from the repository's root). The test file must define the class and the class the
test method (or inherit it from a class of the same file).
"""

import ast
import re
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REVIEW = REPO / "docs" / "security-review.md"
REFERENCE = re.compile(r"`([\w./-]+\.py)::(\w+)(?:::(\w+))?`")


@cache
def classes_of(path):
    """{class name: (set of method names, base names)} of a test file."""
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            methods = {item.name for item in node.body
                       if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
            bases = {base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                     for base in node.bases}
            found[node.name] = (methods, bases)
    return found


def has_test(path, cls, method):
    classes = classes_of(path)
    seen, todo = set(), [cls]
    while todo:
        name = todo.pop()
        if name in seen or name not in classes:
            continue
        seen.add(name)
        methods, bases = classes[name]
        if method is None or method in methods:
            return True
        todo.extend(bases)
    return False


def table_rows():
    """(line number, line) of every body row of every table (a table is a block of lines
    starting with '|': its header, its separator, then its rows)."""
    body, block = [], []
    for no, line in enumerate(REVIEW.read_text(encoding="utf-8").splitlines() + [""], 1):
        if line.startswith("|"):
            block.append((no, line))
            continue
        body.extend(block[2:])
        block = []
    return body


def test_the_security_review_exists_and_lists_entry_points():
    assert REVIEW.is_file(), "docs/security-review.md is missing"
    assert len(table_rows()) > 50


def test_every_entry_of_the_security_review_points_to_a_test():
    missing = [f"line {no}: {line[:100]}" for no, line in table_rows()
               if not REFERENCE.search(line)]
    assert not missing, "entries without a test:\n" + "\n".join(missing)


def test_every_test_named_by_the_security_review_exists():
    wrong = []
    for no, line in enumerate(REVIEW.read_text(encoding="utf-8").splitlines(), 1):
        for path, cls, method in REFERENCE.findall(line):
            if not (REPO / path).is_file():
                wrong.append(f"line {no}: {path} does not exist")
            elif not has_test(path, cls, method or None):
                wrong.append(f"line {no}: {path}::{cls}::{method} is not defined")
    assert not wrong, "\n".join(wrong)
