"""Sign the demo manager in to a running `make run`, through its pages, as a person would: the
email address, the password, then a code from an authenticator app set up with the key that
`make run` printed. Usage: demo_sign_in.py BASE_URL MAKE_RUN_LOG. Exits non-zero if it fails."""

import re
import sys
from pathlib import Path

import pyotp
import requests


def printed_sign_in(log):
    """The demo manager's email address, password and setup key, as `make run` printed them."""
    text = Path(log).read_text(encoding="utf-8")
    found = re.search(
        r"^\s+(\S+)\s+password (\S+)\s+\(manager of [^)]*\)\n\s+authenticator app setup key (\S+)",
        text,
        re.M,
    )
    if not found:
        sys.exit("make run printed no manager with a password and a setup key")
    return found.groups()


def csrf(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def main(base, log):
    email, password, key = printed_sign_in(log)
    session = requests.Session()
    login = f"{base}/accounts/login/"
    first = session.post(login, {"csrfmiddlewaretoken": csrf(session.get(login)), "login": email})
    if 'name="password"' not in first.text:
        sys.exit("the sign-in page did not ask for the password after the email address")
    code_page = session.post(
        login, {"csrfmiddlewaretoken": csrf(first), "login": email, "password": password}
    )
    if not code_page.url.endswith("/accounts/2fa/authenticate/"):
        sys.exit(f"the manager was not asked for a code after the password: {code_page.url}")
    home = session.post(
        code_page.url,
        {"csrfmiddlewaretoken": csrf(code_page), "code": pyotp.TOTP(key).now()},
        headers={"Referer": code_page.url},
    )
    if "Signed in as" not in home.text:
        sys.exit(f"the code did not sign the manager in: {home.url}")
    print(f"signed in as {email} with the password and a code from the printed key")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
