"""Reading uploaded CSV and XLSX files into a header and rows (pure Python, no Odoo)."""

import csv
import io

from .cleaning import CleaningError, half_width

DELIMITERS = ",;\t|"
XLSX_MAGIC = b"PK\x03\x04"


def decode(data):
    """Text of a CSV file in UTF-8 (with or without BOM) or GB18030/GBK, decided line by
    line so that a file pasted together from two spreadsheets still reads right.

    Returns (text, encodings used)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines, used = [], set()
    for raw in data.splitlines(keepends=True):
        try:
            lines.append(raw.decode("utf-8"))
            used.add("utf-8")
        except UnicodeDecodeError:
            try:
                lines.append(raw.decode("gb18030"))
                used.add("gb18030")
            except UnicodeDecodeError as exc:
                raise CleaningError("encoding_unknown") from exc
    return "".join(lines), used


def read_csv(data, delimiter=None):
    text, encodings = decode(data)
    if not text.strip():
        raise CleaningError("file_empty")
    if not delimiter:
        first = text.lstrip().splitlines()[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        delimiter = max(counts, key=counts.get)
        if not counts[delimiter]:
            delimiter = ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    rows = [r for r in rows if any(c.strip() for c in r)]
    return rows, encodings


def read_xlsx(data):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer
        raise CleaningError("file_unreadable") from exc
    sheet = book.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        row = ["" if v is None else v for v in values]
        if any(str(c).strip() for c in row):
            rows.append(row)
    book.close()
    return rows, {"xlsx"}


def read_file(data, filename="", delimiter=None):
    """(header, rows, encodings) of an uploaded file; rows are lists aligned on header."""
    if not data:
        raise CleaningError("file_empty")
    if data[:4] == XLSX_MAGIC or (filename or "").lower().endswith(".xlsx"):
        rows, encodings = read_xlsx(data)
    else:
        rows, encodings = read_csv(data, delimiter)
    if not rows:
        raise CleaningError("file_empty")
    header = [half_width(str(h)).strip() for h in rows[0]]
    body = []
    for row in rows[1:]:
        row = list(row)[: len(header)]
        row += [""] * (len(header) - len(row))
        body.append(row)
    return header, body, encodings
