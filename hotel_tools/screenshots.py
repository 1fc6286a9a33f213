"""README screenshots of the running demo, taken with headless Chromium over CDP.

    python3 -m hotel_tools.screenshots --url http://127.0.0.1:8069 --out docs/screenshots

Needs a running demo server (``python3 -m hotel_tools run``), /usr/bin/chromium and the
``websocket-client`` package. No playwright or selenium: the Chrome DevTools Protocol is
spoken directly over the page's websocket.
"""

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1440, 900
GUEST_ACTION = "/odoo/action-hotel_crm.hotel_guest_action"
STAY_ANALYSIS_ACTION = "/odoo/action-hotel_crm.hotel_stay_analysis_action"


def log(msg):
    print(f"[screenshots] {msg}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One headless Chromium with one page, driven through CDP."""

    def __init__(self, chromium=CHROMIUM):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="hotel-shots-")
        self.proc = subprocess.Popen(
            [
                chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                f"--remote-debugging-port={self.port}", f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}", "--lang=en-US", "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # own process group: close() ends every helper process
        )
        self.ws = None
        self.next_id = 0
        self.errors = []  # uncaught JS exceptions and console errors, for the report

    def connect(self, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json", timeout=2) as r:
                    targets = json.load(r)
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not expose a page over CDP")
            time.sleep(0.3)
        self.ws = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
                  deviceScaleFactor=1, mobile=False)

    def close(self):
        try:
            if self.ws:
                self.ws.close()
        except Exception:  # best effort while tearing down
            pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                continue
            # the group outlives its leader for a moment: wait for the helpers too
            for _ in range(50):
                try:
                    os.killpg(self.proc.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                continue
            break
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- protocol --------------------------------------------------------------------------

    def send(self, method, **params):
        self.next_id += 1
        msg_id = self.next_id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)

    def _event(self, msg):
        method = msg.get("method")
        params = msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            self.errors.append(f"exception: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            args = [a.get("value", a.get("description", "")) for a in params.get("args", [])]
            self.errors.append("console.error: " + " ".join(str(a) for a in args))

    def evaluate(self, expression, await_promise=False):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True,
            awaitPromise=await_promise,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    # -- page helpers ----------------------------------------------------------------------

    def navigate(self, url):
        self.send("Page.navigate", url=url)

    def wait_for(self, selector, timeout=60, settle=1.5, condition="true", dialog=False):
        """Wait until `selector` exists (and the JS `condition` holds) and the Odoo web
        client shows no loading indicator; then let rendering settle. With `dialog`, a
        dialog is the expected screen and only an error dialog is reported."""
        check = (
            f"!!document.querySelector({json.dumps(selector)}) && ({condition})"
            " && !document.querySelector('.o_loading_indicator')"
            " && document.readyState === 'complete'"
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.evaluate(check):
                    break
            except RuntimeError:
                pass  # context destroyed by a navigation in flight
            if time.monotonic() > deadline:
                url = self.evaluate("location.href")
                raise TimeoutError(f"{selector!r} not ready after {timeout}s on {url}")
            time.sleep(0.25)
        time.sleep(settle)
        unexpected = ".o_error_dialog" if dialog else ".o_error_dialog, .o_dialog .modal-body"
        text = self.evaluate(
            f"(document.querySelector({json.dumps(unexpected)}) || {{}}).innerText || ''"
        )
        if text:
            raise RuntimeError(f"dialog on screen: {text[:500]}")

    def click(self, selector):
        found = self.evaluate(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " if (!el) return false; el.click(); return true; })()"
        )
        if not found:
            raise RuntimeError(f"nothing to click at {selector!r}")

    def click_text(self, selector, text):
        """Click the first `selector` element whose trimmed text is `text`."""
        found = self.evaluate(
            f"(() => {{ const el = [...document.querySelectorAll({json.dumps(selector)})]"
            f".find(e => e.textContent.trim() === {json.dumps(text)});"
            " if (!el) return false; el.click(); return true; })()"
        )
        if not found:
            raise RuntimeError(f"no {selector!r} reading {text!r} to click")

    def dismiss_notifications(self):
        """Close toast notifications (reported, not hidden silently) before a capture.

        Odoo 18's bus shows a sticky "The page is out of date" warning when a fresh page
        joins a bus worker that is already connected, which full-page navigations in
        quick succession (and logging in as another user) provoke.
        """
        texts = self.evaluate(
            "[...document.querySelectorAll('.o_notification')].map(n => {"
            " const text = n.innerText.replace(/\\s+/g, ' ').trim();"
            " const close = n.querySelector('.o_notification_close'); if (close) close.click();"
            " return text; })"
        )
        for text in texts or []:
            note = f"notification closed: {text}"
            if note not in self.errors:
                self.errors.append(note)
        if texts:
            time.sleep(0.5)

    def screenshot(self, path):
        self.dismiss_notifications()
        data = self.send("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))
        log(f"wrote {path}")


# -- Odoo flows ------------------------------------------------------------------------------


def login(browser, base, user, password):
    browser.send("Network.clearBrowserCookies")
    browser.navigate(f"{base}/web/login")
    browser.wait_for("input[name=login]", settle=0.3)
    browser.evaluate(
        "(() => {"
        f" document.querySelector('input[name=login]').value = {json.dumps(user)};"
        f" document.querySelector('input[name=password]').value = {json.dumps(password)};"
        " document.querySelector('input[name=login]').form.submit(); })()"
    )
    time.sleep(1)
    browser.wait_for(".o_web_client .o_main_navbar", settle=0.5)
    log(f"logged in as {user}")


def call_kw(browser, model, method, args, kwargs):
    """JSON-RPC from inside the page, so it runs with the logged-in user's session."""
    payload = {
        "jsonrpc": "2.0", "method": "call",
        "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
    }
    reply = browser.evaluate(
        "fetch('/web/dataset/call_kw', {method: 'POST',"
        " headers: {'Content-Type': 'application/json'},"
        f" body: JSON.stringify({json.dumps(payload)})}}).then(r => r.json())",
        await_promise=True,
    )
    if "error" in reply:
        raise RuntimeError(f"{model}.{method}: {reply['error'].get('message')}")
    return reply["result"]


def pick_guest(browser):
    """A guest with tags and preferences: VIPs first, then most preferences, then stays."""
    guests = call_kw(
        browser, "res.partner", "search_read",
        [[("is_guest", "=", True)]],
        {"fields": ["name", "is_vip", "category_id", "hotel_preference_ids", "stay_count"],
         "order": "stay_count desc, id", "limit": 200},
    )
    scored = sorted(
        guests,
        key=lambda g: (
            not (g["category_id"] and g["hotel_preference_ids"]),
            not g["is_vip"],
            -min(len(g["hotel_preference_ids"]), 3),
            -g["stay_count"],
        ),
    )
    if not scored:
        raise RuntimeError("no guest visible to this user")
    guest = scored[0]
    log(f"guest #{guest['id']} {guest['name']} ({guest['stay_count']} stays)")
    return guest["id"]


def shoot_frontdesk(browser, base, out):
    login(browser, base, "frontdesk", "frontdesk")

    browser.navigate(base + GUEST_ACTION)
    browser.wait_for(".o_list_view .o_data_row")
    browser.screenshot(out / "guests_list.png")

    guest_id = pick_guest(browser)
    browser.navigate(f"{base}{GUEST_ACTION}/{guest_id}")
    browser.wait_for(".o_form_view .o_notebook a[name=hotel_preferences]")
    browser.click(".o_notebook a[name=hotel_preferences]")
    browser.wait_for(".o_notebook .tab-pane.active [name=hotel_preference_ids] .o_data_row")
    browser.screenshot(out / "guest_form.png")

    browser.click(".o_notebook a[name=hotel_figures]")
    browser.wait_for(".o_notebook .tab-pane.active [name=stays_12m]", settle=0.5)
    # The figures sit below the fold: scroll the tabs to the top so all four groups show.
    browser.evaluate("document.querySelector('.o_notebook').scrollIntoView({block: 'start'})")
    time.sleep(1)
    browser.screenshot(out / "guest_figures.png")


def shoot_manager(browser, base, out):
    login(browser, base, "manager", "manager")

    browser.navigate(base + STAY_ANALYSIS_ACTION)
    browser.wait_for(".o_pivot_view .o_pivot table")
    # Months x measures is far wider than the screen: regroup the columns by check-in year
    # through the UI (collapse the column "Total", reopen it, Check-in Month > Year).
    browser.click(".o_pivot thead .o_pivot_header_cell_opened")
    browser.wait_for(".o_pivot thead .o_pivot_header_cell_closed", settle=0.3)
    browser.click(".o_pivot thead .o_pivot_header_cell_closed")
    browser.wait_for(".o-dropdown--menu button.o_menu_item", settle=0.3)
    browser.click_text(".o-dropdown--menu button.o_menu_item", "Check-in Month")
    browser.wait_for(".o-dropdown--menu-submenu .o_item_option", settle=0.3)
    browser.click_text(".o-dropdown--menu-submenu .o_item_option", "Year")
    browser.wait_for(
        ".o_pivot thead .o_pivot_header_cell_closed",
        condition="[...document.querySelectorAll('.o_pivot thead th')]"
        ".some(th => /^\\d{4}$/.test(th.textContent.trim()))",
    )
    browser.screenshot(out / "stays_pivot.png")

    browser.click(".o_switch_view.o_graph")
    browser.wait_for(".o_graph_view .o_graph_renderer canvas")
    browser.screenshot(out / "stays_graph.png")


def shoot_privacy(browser, base, out):
    """The guest's consent history and the audit trail, as a manager."""
    login(browser, base, "manager", "manager")
    guests = call_kw(browser, "res.partner", "search_read",
                     [[("is_guest", "=", True), ("hotel_consent_ids", "!=", False)]],
                     {"fields": ["name"], "order": "stay_count desc, id", "limit": 1})
    if not guests:
        raise RuntimeError("no guest with a consent history")
    browser.navigate(f"{base}{GUEST_ACTION}/{guests[0]['id']}")
    browser.wait_for(".o_form_view .o_notebook a[name=hotel_consent]")
    browser.click(".o_notebook a[name=hotel_consent]")
    browser.wait_for(".o_notebook .tab-pane.active [name=hotel_consent_ids] .o_data_row")
    browser.evaluate("document.querySelector('.o_notebook').scrollIntoView({block: 'start'})")
    time.sleep(1)
    browser.screenshot(out / "guest_consent.png")

    browser.navigate(base + "/odoo/action-hotel_crm.hotel_audit_log_action")
    browser.wait_for(".o_list_view .o_data_row")
    browser.screenshot(out / "audit_trail.png")


def do_action(browser, action):
    """Run an action (e.g. a wizard's reply) in the web client, as a menu or button would."""
    if "views" not in action:  # what /web/dataset/call_button would add
        action = {**action, "views": [[False, m] for m in action["view_mode"].split(",")]}
    browser.evaluate(
        "odoo.__WOWL_DEBUG__.root.env.services.action"
        f".doAction({json.dumps(action)})",
        await_promise=True,
    )


def shoot_marketing(browser, base, out):
    """The segment preview of the demo mailing and the campaign's results, as marketing."""
    login(browser, base, "marketing", "marketing")
    # The demo campaign's mailing goes to the shipped segment "Guests: stayed in the last
    # 365 days": open the mailing and press its "Preview Segment" button.
    segments = call_kw(browser, "mailing.filter", "search_read",
                       [[("name", "=", "Guests: stayed in the last 365 days")]],
                       {"fields": ["mailing_domain"], "limit": 1})
    if not segments:
        raise RuntimeError("shipped segment of recent guests not found")
    mailings = call_kw(browser, "mailing.mailing", "search_read",
                       [[("campaign_id", "!=", False),
                         ("mailing_domain", "=", segments[0]["mailing_domain"])]],
                       {"fields": ["subject"], "order": "id", "limit": 1})
    if not mailings:
        raise RuntimeError("no demo mailing to the recent guests")
    browser.navigate(f"{base}/odoo/action-mass_mailing.mailing_mailing_action_mail"
                     f"/{mailings[0]['id']}")
    browser.wait_for(".o_form_view button[name=action_hotel_preview_segment]")
    browser.click(".o_form_view button[name=action_hotel_preview_segment]")
    browser.wait_for(".o_dialog .o_form_view [name=sample_ids] .o_data_row", dialog=True)
    browser.screenshot(out / "segment_preview.png")

    browser.navigate(base + "/odoo/action-hotel_marketing.hotel_marketing_performance_action")
    browser.wait_for(
        ".o_pivot_view .o_pivot table",
        condition="[...document.querySelectorAll('.o_pivot tbody th')]"
        ".some(th => th.textContent.trim() === 'Spring stay offer')",
    )
    browser.screenshot(out / "campaign_results.png")


def shoot_import(browser, base, out):
    """A dry run of the Ctrip sample export and the duplicates queue, as guest relations."""
    login(browser, base, "guestrelations", "guestrelations")
    export = Path(__file__).resolve().parent.parent / "data/exports/ctrip_export.csv"
    presets = call_kw(browser, "hotel.import.preset", "search_read",
                      [[("code", "=", "ctrip")]], {"fields": ["name"], "limit": 1})
    if not presets:
        raise RuntimeError("no Ctrip import preset")
    wizard_id = call_kw(browser, "hotel.import.wizard", "create", [{
        "file": base64.b64encode(export.read_bytes()).decode(),
        "filename": export.name,
        "preset_id": presets[0]["id"],
    }], {})
    action = call_kw(browser, "hotel.import.wizard", "action_dry_run", [[wizard_id]], {})
    # Over the guests list rather than the Discuss home page.
    browser.navigate(base + GUEST_ACTION)
    browser.wait_for(".o_list_view .o_data_row")
    do_action(browser, action)
    # Rejected rows are listed under the counts when the dry run rejected any.
    browser.wait_for(".o_dialog .o_hotel_import_result [name=rows_total]", dialog=True)
    browser.screenshot(out / "import_dry_run.png")

    browser.navigate(base + "/odoo/action-hotel_import.hotel_duplicate_candidate_action")
    browser.wait_for(".o_list_view .o_data_row")
    browser.screenshot(out / "duplicate_queue.png")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args(argv)

    base = args.url.rstrip("/")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    browser = Browser(args.chromium)
    try:
        browser.connect()
        shoot_frontdesk(browser, base, out)
        shoot_manager(browser, base, out)
        shoot_privacy(browser, base, out)
        shoot_marketing(browser, base, out)
        shoot_import(browser, base, out)
    finally:
        browser.close()
    for error in browser.errors:
        log(f"browser reported {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
