"""Reading uploaded CSV and XLSX files into a header and rows (pure Python, no Odoo)."""

import codecs
import csv
import io
import zlib

from .cleaning import CleaningError, half_width

DELIMITERS = ",;\t|"
XLSX_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
# A gzip-compressed CSV (``export.csv.gz``: a million rows upload as about 40 MB instead of
# 180 MB) is unpacked up to this size; more is no guest export (or a decompression bomb).
MAX_UNPACKED = 1 << 30
# The longest line (on average) a CSV file may have (the csv module's default field limit):
# longer lines are no guest export (a binary file, or a quote never closed).
FIELD_LIMIT = 131072


def decode(data):
    """Text of a CSV file in UTF-8 (with or without BOM) or GB18030/GBK, decided line by
    line so that a file pasted together from two spreadsheets still reads right.

    Returns (text, encodings used)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # most files are UTF-8 throughout: decoded at once (a UTF-8 character never contains a
    # line break byte, so this is the text the line by line decoding gives)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        return text, {"utf-8"} if data else set()
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
    if "\x00" in text:
        # a binary file, or text in UTF-16 without its byte order mark
        raise CleaningError("file_unreadable")
    if not delimiter:
        first = text.lstrip().splitlines()[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        delimiter = max(counts, key=counts.get)
        if not counts[delimiter]:
            delimiter = ","
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
                if "".join(r).strip()]
    except csv.Error as exc:
        raise CleaningError("line_too_long" if "field limit" in str(exc)
                            else "file_unreadable") from exc
    # (Odoo's base_import raises the csv module's limit for the whole process)
    if rows and len(text) > FIELD_LIMIT * len(rows):
        raise CleaningError("line_too_long")
    return rows, encodings


def read_xlsx(data):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer
        raise CleaningError("file_unreadable") from exc
    rows = []
    try:
        # read only: the sheet is parsed while it is read, so a broken sheet fails here
        for values in book.worksheets[0].iter_rows(values_only=True):
            row = ["" if v is None else v for v in values]
            if any(str(c).strip() for c in row):
                rows.append(row)
    except Exception as exc:  # noqa: BLE001 - any unreadable sheet is the same answer
        raise CleaningError("file_unreadable") from exc
    finally:
        book.close()
    return rows, {"xlsx"}


def _gzip_chunks(data):
    """The unpacked bytes of a gzip file, chunk by chunk (CleaningError past MAX_UNPACKED
    or on a damaged file)."""
    unpacker = zlib.decompressobj(zlib.MAX_WBITS | 16)
    size, rest = 0, data
    try:
        while rest:
            chunk = unpacker.decompress(rest, 1 << 20)
            rest = unpacker.unconsumed_tail
            size += len(chunk)
            if size > MAX_UNPACKED:
                raise CleaningError("file_too_large")
            yield chunk
            if unpacker.eof:
                break
    except zlib.error as exc:
        raise CleaningError("file_unreadable") from exc
    if not unpacker.eof:  # cut off before its end
        raise CleaningError("file_unreadable")


def contains_any(data, needles):
    """Whether the file's bytes (a gzip-compressed file's unpacked bytes, read by chunks)
    contain one of ``needles``."""
    if data[:2] != GZIP_MAGIC:
        return any(needle in data for needle in needles)
    longest, tail = max(map(len, needles), default=0), b""
    for chunk in _gzip_chunks(data):
        window = tail + chunk
        if any(needle in window for needle in needles):
            return True
        tail = window[-longest:]
    return False


def unpack(data):
    """The bytes of an uploaded file, a gzip-compressed one unpacked."""
    if data[:2] != GZIP_MAGIC:
        return data
    return b"".join(_gzip_chunks(data))


def count_lines(data, more_than):
    """Whether the file (gzip-compressed or not) has more than ``more_than`` line breaks,
    without unpacking it whole."""
    if data[:2] != GZIP_MAGIC:
        return data.count(b"\n") > more_than
    count = 0
    for chunk in _gzip_chunks(data):
        count += chunk.count(b"\n")
        if count > more_than:
            return True
    return False


def read_file(data, filename="", delimiter=None):
    """(header, rows, encodings) of an uploaded file; rows are lists aligned on header."""
    if not data:
        raise CleaningError("file_empty")
    data = unpack(data)
    if data[:4] == XLSX_MAGIC or (filename or "").lower().endswith(".xlsx"):
        rows, encodings = read_xlsx(data)
    else:
        rows, encodings = read_csv(data, delimiter)
    if not rows:
        raise CleaningError("file_empty")
    header = [half_width(str(h)).strip() for h in rows[0]]
    width = len(header)
    body = [row if len(row) == width else (list(row) + [""] * width)[:width]
            for row in rows[1:]]
    return header, body, encodings


def _csv_rows(text, delimiter):
    return _csv_rows_of_lines(io.StringIO(text, newline=""), delimiter)


def _xlsx_rows(data):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer
        raise CleaningError("file_unreadable") from exc
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            row = ["" if v is None else v for v in values]
            if any(str(c).strip() for c in row):
                yield row
    except CleaningError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable sheet is the same answer
        raise CleaningError("file_unreadable") from exc
    finally:
        book.close()


def _sniff(first_line):
    counts = {d: first_line.count(d) for d in DELIMITERS}
    delimiter = max(counts, key=counts.get)
    return delimiter if counts[delimiter] else ","


def _decoded_lines(data):
    """(a function giving the file's decoded lines one at a time, encodings used) of a CSV
    file, as :func:`decode` decodes it, without ever holding its whole text: UTF-8 (with or
    without BOM) checked by chunks, else each line in UTF-8 or GB18030 (a first pass finds
    the encodings; a GB18030 character never contains a line-break byte)."""
    start = 3 if data.startswith(codecs.BOM_UTF8) else 0
    view = memoryview(data)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for at in range(start, len(data), 1 << 18):
            decoder.decode(view[at:at + (1 << 18)])
        decoder.decode(b"", final=True)
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False

    def raw_lines():
        stream = io.BytesIO(data)
        stream.seek(start)
        return iter(stream)

    def decoded(raw):
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                return raw.decode("gb18030"), "gb18030"
            except UnicodeDecodeError as exc:
                raise CleaningError("encoding_unknown") from exc

    if utf8:
        return (lambda: (raw.decode("utf-8") for raw in raw_lines())), (
            {"utf-8"} if len(data) > start else set())
    used = {decoded(raw)[1] for raw in raw_lines()}
    return (lambda: (decoded(raw)[0] for raw in raw_lines())), used


def _csv_rows_of_lines(lines, delimiter):
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for row in reader:
            if "".join(row).strip():
                yield row
    except csv.Error as exc:
        raise CleaningError("line_too_long" if "field limit" in str(exc)
                            else "file_unreadable") from exc


def _iter_text(data, delimiter):
    text, encodings = decode(data)
    if not text.strip():
        raise CleaningError("file_empty")
    if "\x00" in text:
        raise CleaningError("file_unreadable")
    if not delimiter:
        delimiter = _sniff(text.lstrip().splitlines()[0])
    rows = _csv_rows(text, delimiter)
    return _header_and_body(rows, encodings)


def _header_and_body(rows, encodings):
    first = next(rows, None)
    if first is None:
        raise CleaningError("file_empty")
    header = [half_width(str(h)).strip() for h in first]
    width = len(header)
    body = (row if len(row) == width else (list(row) + [""] * width)[:width] for row in rows)
    return header, body, encodings


def iter_file(data, filename="", delimiter=None):
    """(header, rows, encodings) like :func:`read_file`, the rows as an iterator read while
    they are consumed: a file of a million rows is never a million lists in memory (the
    background import stages it batch by batch)."""
    if not data:
        raise CleaningError("file_empty")
    data = unpack(data)
    if data[:4] == XLSX_MAGIC or (filename or "").lower().endswith(".xlsx"):
        rows, encodings = _xlsx_rows(data), {"xlsx"}
    elif b"\n" not in data:
        # one line, or old Mac line ends (\r): small enough to decode at once
        return _iter_text(data, delimiter)
    else:
        lines, encodings = _decoded_lines(data)
        if b"\x00" in data:
            raise CleaningError("file_unreadable")
        first = next((line for line in lines() if line.strip()), None)
        if first is None:
            raise CleaningError("file_empty")
        if not delimiter:
            delimiter = _sniff(first.lstrip())
        rows = _csv_rows_of_lines(lines(), delimiter)
    return _header_and_body(rows, encodings)
