"""A real SMTP server with STARTTLS (or implicit TLS) and AUTH, for the tests.

Built on aiosmtpd. Each accepted message is written to --capture-dir as
<n>.eml; every command the server receives is logged to --log, so a test
can tell whether AUTH was ever sent. Prints "READY <port>" when listening
and runs until killed.
"""
import argparse
import logging
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Capture:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            path = os.path.join(self.directory, f"{self.count}.eml")
        with open(path, "wb") as f:
            f.write(envelope.original_content)
        with open(path + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        return "250 2.0.0 Accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--mode", choices=["starttls", "implicit", "plain"], default="starttls")
    parser.add_argument("--user", default="events@example.org")
    parser.add_argument("--password", default="")
    parser.add_argument("--capture-dir", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    handler = logging.FileHandler(args.log)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("mail.log")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == args.user
            and auth_data.password.decode() == args.password
        )
        return AuthResult(success=ok, handled=False)

    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    kwargs = dict(authenticator=authenticator, auth_require_tls=args.mode != "plain")
    if args.mode == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
        controller = Controller(Capture(args.capture_dir), hostname="127.0.0.1", port=args.port, **kwargs)
    elif args.mode == "implicit":
        controller = Controller(
            Capture(args.capture_dir), hostname="127.0.0.1", port=args.port, ssl_context=context,
            server_hostname="127.0.0.1", **kwargs)
    else:
        controller = Controller(Capture(args.capture_dir), hostname="127.0.0.1", port=args.port, **kwargs)
    if args.mode == "implicit":
        # The controller's own start-up probe speaks plain text; skip it for implicit TLS.
        controller._trigger_server = lambda: None
    controller.start()
    print(f"READY {args.port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
