"""Static checks run on every addon of the repository, without Odoo.

Each test is parametrized per addon (see conftest.py) and collects every
problem it finds before failing, so one run lists them all.  Every problem
line names the file (relative to the addons root, with a line number where
one is known) and what is wrong.

Checks
------
manifest        keys, version format, installable, referenced files exist,
                no data/demo file forgotten in the manifest.
xml             every .xml parses; record ids in demo files end with ``_demo``.
acl             every models.Model / models.TransientModel with a ``_name``
                has a line in security/ir.model.access.csv.
odoo 18 idioms  no <tree>, attrs=, states=, oe_chatter, t-raw, name_get,
                numbercall, group_operator=, check_access_rights(, and no
                Markup() of a non-literal.
sql             no cr.execute() / SQL() of an f-string, %-formatting,
                .format() or concatenation.
i18n            i18n/zh_CN.po parses, is complete, keeps placeholders and is
                really translated; static coverage of the addon's terms.
layout          readme fragments, demo data, tests imported in tests/__init__.py.
"""

import ast
import csv
import re
from collections import Counter
from pathlib import Path

import pytest

try:  # lxml gives line numbers; the standard library is the fallback.
    from lxml import etree as _lxml_etree
except ImportError:  # pragma: no cover - depends on the machine
    _lxml_etree = None
import xml.etree.ElementTree as _std_etree

try:
    import polib
except ImportError:  # pragma: no cover - depends on the machine
    polib = None

VERSION_RE = re.compile(r"^18\.0\.\d+\.\d+\.\d+$")
REQUIRED_MANIFEST_KEYS = ("name", "version", "license", "author", "website", "depends", "data")
# Directories whose XML/CSV files Odoo only loads when the manifest lists them.
DATA_DIRS = ("security", "views", "data", "wizard", "report")
DATA_EXTENSIONS = (".xml", ".csv", ".sql")
SKIP_DIRS = {"__pycache__", "node_modules", ".git"}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def rel(path: Path, addon: Path) -> str:
    """Path shown in messages: relative to the addons root, e.g. hotel_crm/views/x.xml."""
    return path.relative_to(addon.parent).as_posix()


def where(path: Path, addon: Path, line=None) -> str:
    return f"{rel(path, addon)}:{line}" if line else rel(path, addon)


def fail_if(problems, title):
    if problems:
        pytest.fail(f"{title} ({len(problems)}):\n  " + "\n  ".join(problems), pytrace=False)


def iter_files(addon: Path, suffixes, *, skip_tests=False):
    """Files of the addon with one of the suffixes, sorted, skipping caches.

    skip_tests leaves out the addon's own tests/ directory.
    """
    for path in sorted(addon.rglob("*")):
        parts = path.relative_to(addon).parts
        if any(part in SKIP_DIRS or part.startswith(".") for part in parts):
            continue
        if skip_tests and parts[0] == "tests":
            continue
        if path.is_file() and path.suffix in suffixes:
            yield path


def load_manifest(addon: Path) -> dict:
    path = addon / "__manifest__.py"
    error = None
    try:
        manifest = ast.literal_eval(path.read_text(encoding="utf-8"))
    except (ValueError, SyntaxError) as exc:
        error = exc
    if error is not None:
        pytest.fail(f"{rel(path, addon)}: not a Python literal ({error})", pytrace=False)
    if not isinstance(manifest, dict):
        pytest.fail(f"{rel(path, addon)}: is not a dict literal", pytrace=False)
    return manifest


def manifest_list(manifest: dict, key: str) -> list:
    value = manifest.get(key) or []
    return list(value) if isinstance(value, (list, tuple)) else []


def parse_xml(path: Path):
    """Root element of an XML file; raises on malformed XML.

    With lxml, comments and processing instructions are nodes whose tag is not
    a str: callers skip them.  Line numbers come from ``sourceline`` (lxml only).
    """
    if _lxml_etree is not None:
        parser = _lxml_etree.XMLParser(resolve_entities=False, no_network=True)
        return _lxml_etree.parse(str(path), parser).getroot()
    return _std_etree.parse(str(path)).getroot()


def xml_elements(root):
    """Every element (not comments / processing instructions) under root, root included."""
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element


def line_of(element):
    return getattr(element, "sourceline", None)


def parse_python(path: Path, addon: Path, problems: list):
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        problems.append(f"{where(path, addon, exc.lineno)}: Python syntax error: {exc.msg}")
        return None


def dotted_name(node) -> str:
    """'self.env.cr' for an Attribute chain of Names, '' for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def str_constant(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def class_assignments(classdef: ast.ClassDef) -> dict:
    """Literal values assigned directly in a class body: {'_name': 'x.y', ...}."""
    values = {}
    for stmt in classdef.body:
        targets, value = [], None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(value)
                except ValueError:
                    values[target.id] = None
    return values


def model_kind(classdef: ast.ClassDef):
    """'Model', 'TransientModel', 'AbstractModel' or None, from the class bases."""
    for base in classdef.bases:
        name = dotted_name(base)
        for kind in ("TransientModel", "AbstractModel", "Model"):
            if name in (f"models.{kind}", kind, f"odoo.models.{kind}"):
                return kind
    return None


def model_xmlid(model_name: str) -> str:
    return "model_" + model_name.replace(".", "_")


# --------------------------------------------------------------------------
# discovery
# --------------------------------------------------------------------------
def test_addons_discovered(addons, addons_dir):
    assert addons, f"no addon (directory with __manifest__.py) found under {addons_dir}"


# --------------------------------------------------------------------------
# manifest
# --------------------------------------------------------------------------
def test_manifest_keys(addon):
    manifest = load_manifest(addon)
    where_ = rel(addon / "__manifest__.py", addon)
    problems = []
    for key in REQUIRED_MANIFEST_KEYS:
        if key not in manifest:
            problems.append(f"{where_}: missing key {key!r}")
    for key in ("name", "license", "author", "website", "version"):
        if key in manifest and not (isinstance(manifest[key], str) and manifest[key].strip()):
            problems.append(f"{where_}: {key!r} must be a non-empty string")
    for key in ("depends", "data", "demo"):
        if key in manifest and not isinstance(manifest[key], list):
            problems.append(f"{where_}: {key!r} must be a list")
    version = manifest.get("version")
    if isinstance(version, str) and not VERSION_RE.match(version):
        problems.append(
            f"{where_}: version {version!r} does not match 18.0.x.y.z ({VERSION_RE.pattern})"
        )
    if manifest.get("installable") is not True:
        problems.append(
            f"{where_}: 'installable' must be True (found {manifest.get('installable')!r})"
        )
    fail_if(problems, f"{addon.name}: manifest problems")


def _asset_paths(entry):
    """The file path(s) an assets entry names ('include' names a bundle, not a file)."""
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, (list, tuple)) and entry:
        directive = entry[0]
        if directive in ("include", "remove"):
            return []  # a bundle name / a file of another bundle that may be anywhere
        return [entry[-1]] if isinstance(entry[-1], str) else []
    return []


def test_manifest_files_exist(addon):
    manifest = load_manifest(addon)
    where_ = rel(addon / "__manifest__.py", addon)
    problems = []
    for key in ("data", "demo"):
        entries = manifest_list(manifest, key)
        for entry, count in Counter(entries).items():
            if count > 1:
                problems.append(f"{where_}: {key!r} lists {entry!r} {count} times")
        for entry in entries:
            if not isinstance(entry, str):
                problems.append(f"{where_}: {key!r} entry {entry!r} is not a string")
                continue
            if not (addon / entry).is_file():
                problems.append(f"{where_}: {key!r} entry {entry!r} does not exist")
            elif not entry.endswith(DATA_EXTENSIONS):
                problems.append(
                    f"{where_}: {key!r} entry {entry!r} is not .xml/.csv/.sql: Odoo cannot load it"
                )
    assets = manifest.get("assets") or {}
    if not isinstance(assets, dict):
        problems.append(f"{where_}: 'assets' must be a dict of bundle -> list")
        assets = {}
    for bundle, entries in assets.items():
        for entry in entries or []:
            for path in _asset_paths(entry):
                if any(ch in path for ch in "*?["):
                    continue  # globs may legitimately match nothing yet
                if not path.startswith(addon.name + "/"):
                    continue  # another addon's file: cannot be checked here
                if not (addon.parent / path).is_file():
                    problems.append(f"{where_}: assets[{bundle!r}] file {path!r} does not exist")
    fail_if(problems, f"{addon.name}: manifest references missing files")


def test_manifest_lists_all_data_files(addon):
    manifest = load_manifest(addon)
    data = set(manifest_list(manifest, "data"))
    demo = set(manifest_list(manifest, "demo"))
    problems = []
    for directory in DATA_DIRS:
        if not (addon / directory).is_dir():
            continue
        for path in iter_files(addon / directory, {".xml", ".csv"}):
            entry = path.relative_to(addon).as_posix()
            if entry not in data:
                hint = " (it is listed in 'demo')" if entry in demo else ""
                problems.append(
                    f"{rel(path, addon)}: not listed in the manifest's 'data'{hint}: "
                    "Odoo never loads it"
                )
    if (addon / "demo").is_dir():
        for path in iter_files(addon / "demo", {".xml", ".csv"}):
            entry = path.relative_to(addon).as_posix()
            if entry not in demo:
                hint = " (it is listed in 'data')" if entry in data else ""
                problems.append(
                    f"{rel(path, addon)}: not listed in the manifest's 'demo'{hint}: "
                    "Odoo never loads it"
                )
    fail_if(problems, f"{addon.name}: files forgotten in __manifest__.py")


# --------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------
def test_xml_files_parse(addon):
    problems = []
    for path in iter_files(addon, {".xml"}):
        try:
            parse_xml(path)
        except Exception as exc:  # lxml.etree.XMLSyntaxError / ParseError
            problems.append(f"{rel(path, addon)}: XML does not parse: {exc}")
    fail_if(problems, f"{addon.name}: malformed XML")


def _demo_files(addon: Path, manifest: dict) -> list[Path]:
    files = {addon / entry for entry in manifest_list(manifest, "demo") if isinstance(entry, str)}
    if (addon / "demo").is_dir():
        files.update(iter_files(addon / "demo", {".xml", ".csv"}))
    return sorted(path for path in files if path.is_file())


def _demo_record_ids(path: Path):
    """(xml id, line) of the records a demo file creates.

    XML: id of <record>, <template> and <menuitem>.  CSV: the 'id' column.
    An id prefixed by another module ('base.user_demo') updates that module's
    record and is left out.
    """
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            for lineno, row in enumerate(csv.DictReader(handle), start=2):
                yield row.get("id") or "", lineno
        return
    for element in xml_elements(parse_xml(path)):
        if element.tag in ("record", "template", "menuitem") and element.get("id"):
            yield element.get("id"), line_of(element)


def test_demo_record_ids_end_with_demo(addon):
    manifest = load_manifest(addon)
    problems = []
    for path in _demo_files(addon, manifest):
        try:
            records = list(_demo_record_ids(path))
        except Exception as exc:
            problems.append(f"{rel(path, addon)}: cannot be read: {exc}")
            continue
        for xmlid, line in records:
            module, _sep, name = xmlid.rpartition(".")
            if module and module != addon.name:
                continue
            if not name.endswith("_demo"):
                problems.append(
                    f"{where(path, addon, line)}: demo record id {xmlid!r} "
                    "does not end with '_demo'"
                )
    fail_if(problems, f"{addon.name}: demo record ids")


# --------------------------------------------------------------------------
# ACLs
# --------------------------------------------------------------------------
def _defined_models(addon: Path, problems: list):
    """(model name, file, line) of the models.Model / TransientModel classes defining _name.

    A class whose _inherit names its own _name extends an existing model and
    is left out; AbstractModel classes need no ACL and are left out too.
    """
    for path in iter_files(addon, {".py"}, skip_tests=True):
        tree = parse_python(path, addon, problems)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            if model_kind(node) not in ("Model", "TransientModel"):
                continue
            values = class_assignments(node)
            name = values.get("_name")
            if not isinstance(name, str):
                continue
            inherit = values.get("_inherit")
            inherits = [inherit] if isinstance(inherit, str) else list(inherit or [])
            if name in inherits:
                continue
            yield name, path, node.lineno


def test_every_model_has_acl(addon):
    problems = []
    acl_path = addon / "security" / "ir.model.access.csv"
    acl_models = set()
    if acl_path.is_file():
        with acl_path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            column = next(
                (c for c in ("model_id:id", "model_id/id") if c in (reader.fieldnames or [])), None
            )
            if column is None:
                problems.append(f"{rel(acl_path, addon)}: no 'model_id:id' column in the header")
            else:
                for row in reader:
                    value = (row.get(column) or "").strip()
                    module, _sep, xmlid = value.rpartition(".")
                    if module in ("", addon.name):
                        acl_models.add(xmlid)
    for name, path, line in _defined_models(addon, problems):
        if model_xmlid(name) not in acl_models:
            problems.append(
                f"{where(path, addon, line)}: model {name!r} has no line in "
                f"{rel(acl_path, addon)} with model_id:id {model_xmlid(name)!r}"
            )
    fail_if(problems, f"{addon.name}: models without access rights")


# --------------------------------------------------------------------------
# Odoo 18 idioms
# --------------------------------------------------------------------------
# Regexes searched in XML text / attribute values and in Python string constants.
TEXT_PATTERNS = [
    (re.compile(r"\boe_chatter\b"), "'oe_chatter': Odoo 18 uses the <chatter/> tag"),
    (re.compile(r"\bnumbercall\b"), "'numbercall': ir.cron has no numbercall in Odoo 18"),
    (
        re.compile(r"\bcheck_access_rights\("),
        "'check_access_rights(': use check_access() / has_access() in Odoo 18",
    ),
    (re.compile(r"\bgroup_operator\s*="), "'group_operator=': use aggregator= in Odoo 18"),
    (re.compile(r"\bdef\s+name_get\b"), "'def name_get': use _compute_display_name in Odoo 18"),
]
# Extra regexes for Python string constants (inline arch / templates).
PY_MARKUP_PATTERNS = [
    (re.compile(r"<tree[\s>/]"), "'<tree': Odoo 18 list views use <list>"),
    (re.compile(r"\bt-raw\b"), "'t-raw': use t-out in Odoo 18"),
    (re.compile(r"\battrs\s*=\s*[\"']"), "'attrs=': use invisible=/readonly=/required= in Odoo 18"),
]


def _xml_idiom_problems(path: Path, addon: Path, problems: list):
    try:
        root = parse_xml(path)
    except Exception:
        return  # reported by test_xml_files_parse
    for element in xml_elements(root):
        here = where(path, addon, line_of(element))
        if element.tag == "tree":
            problems.append(f"{here}: <tree> view tag: Odoo 18 list views use <list>")
        if element.tag == "field" and element.get("name") == "view_mode":
            if "tree" in [mode.strip() for mode in (element.text or "").split(",")]:
                problems.append(f"{here}: view_mode contains 'tree': use 'list' in Odoo 18")
        for attribute in ("attrs", "states"):
            if attribute in element.attrib:
                problems.append(
                    f"{here}: {attribute}= attribute on <{element.tag}>: removed since Odoo 17, "
                    "use invisible=/readonly=/required= expressions"
                )
        if "t-raw" in element.attrib:
            problems.append(f"{here}: t-raw on <{element.tag}>: use t-out in Odoo 18")
        for text in [element.text or ""] + list(element.attrib.values()):
            for regex, message in TEXT_PATTERNS:
                if regex.search(text):
                    problems.append(f"{here}: {message}")


def _python_idiom_problems(path: Path, addon: Path, problems: list):
    tree = parse_python(path, addon, problems)
    if tree is None:
        return
    nodes = sorted(ast.walk(tree), key=lambda node: getattr(node, "lineno", 0))
    for node in nodes:
        here = where(path, addon, getattr(node, "lineno", None))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "name_get":
            problems.append(f"{here}: def name_get: use _compute_display_name in Odoo 18")
        elif isinstance(node, ast.Call):
            func = dotted_name(node.func)
            for keyword in node.keywords:
                if keyword.arg == "group_operator":
                    problems.append(f"{here}: group_operator=: use aggregator= in Odoo 18")
                if keyword.arg == "numbercall":
                    problems.append(f"{here}: numbercall=: ir.cron has no numbercall in Odoo 18")
                if keyword.arg == "states" and func.startswith("fields."):
                    problems.append(
                        f"{here}: field parameter states= removed since Odoo 17: "
                        "use readonly=/required= expressions in the view"
                    )
            if func == "check_access_rights" or func.endswith(".check_access_rights"):
                problems.append(
                    f"{here}: check_access_rights(): use check_access() / has_access() in Odoo 18"
                )
            if func == "Markup" or func.endswith(".Markup"):
                if node.args and str_constant(node.args[0]) is None:
                    problems.append(
                        f"{here}: Markup() of a non-literal ({ast.unparse(node.args[0])}): "
                        "XSS risk, use Markup('...%s') % value or escape()"
                    )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for regex, message in TEXT_PATTERNS[:2] + PY_MARKUP_PATTERNS:
                if regex.search(node.value):
                    problems.append(f"{here}: string contains {message}")


def test_odoo18_idioms(addon):
    problems = []
    for path in iter_files(addon, {".xml"}, skip_tests=True):
        _xml_idiom_problems(path, addon, problems)
    for path in iter_files(addon, {".py"}, skip_tests=True):
        _python_idiom_problems(path, addon, problems)
    fail_if(problems, f"{addon.name}: pre-Odoo-18 idioms")


# --------------------------------------------------------------------------
# SQL safety
# --------------------------------------------------------------------------
def _is_literal_only(node) -> bool:
    """True when an expression is built from string literals only ('a' + 'b')."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.BinOp):
        return _is_literal_only(node.left) and _is_literal_only(node.right)
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(value, ast.Constant) for value in node.values)
    return False


def _dynamic_sql_reason(node):
    """Why a query argument is built by string formatting, or None."""
    if _is_literal_only(node):
        return None
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "%-formatting"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return "string concatenation"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return "str.format()"
    return None


def _is_cursor(node) -> bool:
    name = dotted_name(node)
    last = name.rpartition(".")[2]
    return last in ("cr", "_cr", "cursor")


def test_sql_not_built_by_string_formatting(addon):
    """cr.execute(query) / SQL(query): query must not be an f-string, % / + / .format().

    The query must be a literal (parameters passed separately) or an odoo.tools.SQL
    object.  A query formatted into a variable first is not detected (pylint-odoo's
    sql-injection check in test_lint.py covers part of that).
    """
    problems = []
    for path in iter_files(addon, {".py"}):
        tree = parse_python(path, addon, problems)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            is_execute = (
                isinstance(func, ast.Attribute)
                and func.attr in ("execute", "executemany")
                and _is_cursor(func.value)
            )
            is_sql = dotted_name(func) in ("SQL", "tools.SQL", "odoo.tools.SQL")
            if not (is_execute or is_sql):
                continue
            reason = _dynamic_sql_reason(node.args[0])
            if reason:
                call = f"{dotted_name(func) or 'execute'}()"
                problems.append(
                    f"{where(path, addon, node.lineno)}: {call} query built with {reason}: "
                    "SQL injection risk, pass parameters separately or use odoo.tools.SQL"
                )
    fail_if(problems, f"{addon.name}: SQL built by string formatting")


# --------------------------------------------------------------------------
# i18n: zh_CN.po
# --------------------------------------------------------------------------
PO_PATH = Path("i18n") / "zh_CN.po"
PY_FORMAT_RE = re.compile(
    r"%(?:\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\))?[#0+-]?(?:\d+|\*)?(?:\.(?:\d+|\*))?[sdifrxXeEgGco]"
)
BRACE_FORMAT_RE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*|\d*)\}(?!\})")
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]")
WORD_RE = re.compile(r"[A-Za-z]{3,}")
TAG_RE = re.compile(r"<[^>]*>|&[a-zA-Z]+;|&#\d+;")
# Brand names, currencies and codes a translation may keep as they are.  A msgid
# whose 3+-letter words are all in this list (or that has no lowercase letter)
# may have a msgstr without Chinese characters.
UNTRANSLATED_WORDS_ALLOWED = {
    "VIP",
    "Booking",
    "com",
    "Expedia",
    "Ctrip",
    "Trip",
    "Agoda",
    "Airbnb",
    "Google",
    "Tripadvisor",
    "Meituan",
    "Fliggy",
    "Tongcheng",
    "Elong",
    "WeChat",
    "Alipay",
    "UnionPay",
    "CNY",
    "USD",
    "EUR",
    "HKD",
    "RFM",
    "BAR",
    "OTA",
    "GDS",
    "Email",
    "URL",
    "App",
    "SMS",
    "NPS",
    "CSAT",
    "KPI",
    "ADR",
    "RevPAR",
    "API",
    "CSV",
    "PDF",
    "Odoo",
    "PMS",
    "CRM",
    "Mini",
    "Program",
}


def placeholders(text: str) -> list:
    """Placeholders of a message, in a form that compares msgid and msgstr.

    Positional %s/%d... count (their number and kinds must match); named
    %(name)s and {name} placeholders are compared as sets (order and
    repetition may change in a translation).  '%%' is a literal percent sign.
    """
    text = text.replace("%%", "")
    positional, named = [], set()
    for match in PY_FORMAT_RE.finditer(text):
        if match.group("name"):
            named.add(match.group(0))
        else:
            positional.append(match.group(0))
    braces = {"{" + name + "}" for name in BRACE_FORMAT_RE.findall(text)}
    return sorted(positional) + sorted(named) + sorted(braces)


def may_stay_untranslated(msgid: str) -> bool:
    text = TAG_RE.sub(" ", msgid)
    text = PY_FORMAT_RE.sub(" ", text)
    text = BRACE_FORMAT_RE.sub(" ", text)
    words = WORD_RE.findall(text)
    if not words or not any(ch.islower() for ch in text):
        return True
    return all(word in UNTRANSLATED_WORDS_ALLOWED for word in words)


def load_po(addon: Path, problems: list):
    path = addon / PO_PATH
    if not path.is_file():
        problems.append(f"{rel(path, addon)}: missing (the Chinese translation of the addon)")
        return None
    if polib is None:
        pytest.fail(
            "polib is not installed: run the project's test command `make test` "
            "(python3 -m hotel_tools test), which installs it",
            pytrace=False,
        )
    try:
        return polib.pofile(str(path), encoding="utf-8", check_for_duplicates=True)
    except Exception as exc:  # polib raises OSError / ValueError on bad files
        problems.append(f"{rel(path, addon)}: does not parse: {exc}")
        return None


def test_i18n_zh_cn_po(addon):
    problems = []
    po = load_po(addon, problems)
    if po is not None:
        where_ = rel(addon / PO_PATH, addon)
        language = po.metadata.get("Language")
        if language != "zh_CN":
            problems.append(f"{where_}: header Language is {language!r}, expected 'zh_CN'")
        for entry in po:
            if entry.obsolete:
                continue
            here = f"{where_}:{entry.linenum} msgid {entry.msgid!r}"
            if "fuzzy" in entry.flags:
                problems.append(f"{here}: marked fuzzy")
            msgstrs = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            if not all(msgstr.strip() for msgstr in msgstrs):
                problems.append(f"{here}: untranslated (empty msgstr)")
                continue
            for msgstr in msgstrs:
                if placeholders(entry.msgid) != placeholders(msgstr):
                    problems.append(
                        f"{here}: placeholders differ: msgid has {placeholders(entry.msgid)}, "
                        f"msgstr {msgstr!r} has {placeholders(msgstr)}"
                    )
                if not CJK_RE.search(msgstr) and not may_stay_untranslated(entry.msgid):
                    problems.append(
                        f"{here}: msgstr {msgstr!r} has no Chinese character (copied, not "
                        "translated?); brand names/codes go in UNTRANSLATED_WORDS_ALLOWED"
                    )
    fail_if(problems, f"{addon.name}: i18n/zh_CN.po problems")


# --------------------------------------------------------------------------
# i18n coverage (static approximation)
# --------------------------------------------------------------------------
# Extraction rules, deliberately simple; the Odoo test layer compares against
# Odoo's own export and is the exact check.  Terms taken:
#   XML files listed in the manifest's 'data':
#     - in <field name="arch"> of ir.ui.view records: the string=, help=,
#       placeholder= and confirm= attributes of any element, and the text of
#       <attribute name="string|help|placeholder|confirm"> in inherited views;
#     - <menuitem name="...">;
#     - the text of <field name="name"> in records of ir.actions.act_window,
#       ir.actions.server, ir.actions.report, ir.actions.client, ir.ui.menu,
#       res.groups and ir.module.category.
#   Python files (outside tests/):
#     - fields.X(...): the string= and help= keywords, and the positional
#       string argument (1st; 2nd for Many2one/Selection/Reference, 3rd for
#       One2many, 5th for Many2many);
#     - selection labels of fields.Selection: selection=/selection_add= or the
#       1st positional argument, when a list literal or a module-level name
#       bound to a list literal;
#     - _description of model classes;
#     - the literal 1st argument of _(...), _lt(...) and *.env._(...) / *._(...).
#   Not taken: text nodes of views and QWeb templates, labels Odoo derives
#   from field names, data records of the addon's own models.
TRANSLATED_VIEW_ATTRIBUTES = ("string", "help", "placeholder", "confirm")
TRANSLATED_RECORD_FIELDS = {
    "ir.actions.act_window": ("name",),
    "ir.actions.server": ("name",),
    "ir.actions.report": ("name",),
    "ir.actions.client": ("name",),
    "ir.ui.menu": ("name",),
    "res.groups": ("name",),
    "ir.module.category": ("name",),
}
# Index of the positional `string` argument per field type (default 0).
STRING_ARG_INDEX = {"Many2one": 1, "Selection": 1, "Reference": 1, "One2many": 2, "Many2many": 4}


def normalize(text: str) -> str:
    return " ".join(text.split())


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _xml_terms(path: Path, addon: Path):
    root = parse_xml(path)
    for element in xml_elements(root):
        line = line_of(element)
        if element.tag == "menuitem" and element.get("name"):
            yield element.get("name"), line, "menuitem name"
        if element.tag != "record":
            continue
        model = element.get("model")
        for field in element:
            if not isinstance(field.tag, str) or field.tag != "field":
                continue
            fname = field.get("name")
            if model == "ir.ui.view" and fname == "arch":
                for node in xml_elements(field):
                    if node is field:
                        continue
                    for attribute in TRANSLATED_VIEW_ATTRIBUTES:
                        if node.get(attribute):
                            yield node.get(attribute), line_of(node), f"{attribute}="
                    if node.tag == "attribute" and node.get("name") in TRANSLATED_VIEW_ATTRIBUTES:
                        if node.text:
                            yield node.text, line_of(node), f"<attribute name={node.get('name')}>"
            elif fname in TRANSLATED_RECORD_FIELDS.get(model, ()) and field.text:
                yield field.text, line_of(field), f"{model} {fname}"


def _module_list_constants(tree) -> dict:
    """Module-level NAME = [...] assignments (selection lists defined once)."""
    constants = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, (ast.List, ast.Tuple)):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = stmt.value
    return constants


def _selection_labels(node, constants):
    if isinstance(node, ast.Name):
        node = constants.get(node.id)
    if not isinstance(node, (ast.List, ast.Tuple)):
        return
    for item in node.elts:
        if isinstance(item, ast.Tuple) and len(item.elts) == 2:
            label = str_constant(item.elts[1])
            if label is not None:
                yield label, item.lineno


def _python_terms(tree):
    constants = _module_list_constants(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and model_kind(node):
            description = class_assignments(node).get("_description")
            if isinstance(description, str):
                yield description, node.lineno, "_description"
        if not isinstance(node, ast.Call):
            continue
        func = dotted_name(node.func)
        if func in ("_", "_lt") or func.endswith("._"):
            text = str_constant(node.args[0]) if node.args else None
            if text is not None:
                yield text, node.lineno, f"{func}()"
            continue
        if not func.startswith("fields.") or not func[7:8].isupper():
            continue
        ftype = func[7:]
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        for key in ("string", "help"):
            text = str_constant(keywords.get(key))
            if text is not None:
                yield text, node.lineno, f"field {key}="
        index = STRING_ARG_INDEX.get(ftype, 0)
        if len(node.args) > index:
            text = str_constant(node.args[index])
            if text is not None:
                yield text, node.lineno, "field string"
        if ftype == "Selection":
            sources = [keywords.get("selection"), keywords.get("selection_add")]
            if node.args:
                sources.append(node.args[0])
            for source in sources:
                for label, line in _selection_labels(source, constants):
                    yield label, line, "selection label"


def test_i18n_coverage(addon):
    problems = []
    po = load_po(addon, problems)
    if po is None:
        fail_if(problems, f"{addon.name}: i18n coverage needs i18n/zh_CN.po")
        return
    msgids = {normalize(entry.msgid) for entry in po if not entry.obsolete}
    po_where = rel(addon / PO_PATH, addon)
    seen = set()

    def check(text, path, line, kind):
        key = normalize(text)
        if not has_letters(key) or key in msgids or (key, kind) in seen:
            return
        seen.add((key, kind))
        problems.append(f"{where(path, addon, line)}: {kind} {text!r} has no msgid in {po_where}")

    manifest = load_manifest(addon)
    for entry in manifest_list(manifest, "data"):
        path = addon / str(entry)
        if path.suffix != ".xml" or not path.is_file():
            continue
        try:
            terms = list(_xml_terms(path, addon))
        except Exception:
            continue  # reported by test_xml_files_parse
        for text, line, kind in terms:
            check(text, path, line, kind)
    for path in iter_files(addon, {".py"}, skip_tests=True):
        tree = parse_python(path, addon, problems)
        if tree is None:
            continue
        for text, line, kind in _python_terms(tree):
            check(text, path, line, kind)
    fail_if(problems, f"{addon.name}: terms missing from i18n/zh_CN.po")


# --------------------------------------------------------------------------
# layout: readme, demo, tests
# --------------------------------------------------------------------------
def test_readme_fragments(addon):
    problems = []
    readme = addon / "readme"
    description = readme / "DESCRIPTION.md"
    if not description.is_file() or not description.read_text(encoding="utf-8").strip():
        problems.append(f"{rel(description, addon)}: missing or empty")
    if not any((readme / name).is_file() for name in ("USAGE.md", "CONFIGURE.md")):
        problems.append(f"{rel(readme, addon)}/: needs USAGE.md or CONFIGURE.md")
    fail_if(problems, f"{addon.name}: readme fragments")


def test_demo_data_present(addon):
    manifest = load_manifest(addon)
    demo_dir = addon / "demo"
    if not demo_dir.is_dir():
        pytest.fail(f"{rel(demo_dir, addon)}/: missing (demo data directory)", pytrace=False)
    listed = {addon / entry for entry in manifest_list(manifest, "demo") if isinstance(entry, str)}
    good = []
    for path in iter_files(demo_dir, {".xml", ".csv"}):
        try:
            ids = [xmlid for xmlid, _line in _demo_record_ids(path)]
        except Exception:
            continue  # reported by test_xml_files_parse
        if path in listed and any(xmlid.endswith("_demo") for xmlid in ids):
            good.append(path)
    assert good, (
        f"{rel(demo_dir, addon)}/: no file listed in the manifest's 'demo' creates a record "
        "whose id ends with '_demo'"
    )


def _imported_test_modules(init: Path) -> set:
    """Module names imported by tests/__init__.py (from . import x / from .x import y)."""
    names = set()
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def test_tests_present_and_imported(addon):
    tests_dir = addon / "tests"
    if not tests_dir.is_dir():
        pytest.fail(f"{rel(tests_dir, addon)}/: missing", pytrace=False)
    modules = sorted(path for path in tests_dir.glob("test_*.py"))
    if not modules:
        pytest.fail(f"{rel(tests_dir, addon)}/: no test_*.py module", pytrace=False)
    init = tests_dir / "__init__.py"
    if not init.is_file():
        pytest.fail(f"{rel(init, addon)}: missing: Odoo would run none of the tests", pytrace=False)
    try:
        imported = _imported_test_modules(init)
    except SyntaxError as exc:
        pytest.fail(f"{rel(init, addon)}:{exc.lineno}: syntax error: {exc.msg}", pytrace=False)
    problems = [
        f"{rel(init, addon)}: does not import {module.stem} ({rel(module, addon)}): "
        "Odoo would silently skip it"
        for module in modules
        if module.stem not in imported
    ]
    fail_if(problems, f"{addon.name}: test modules not imported")
