"""``ampy local ca``: the local certificate authority behind managed login's HTTPS, and how to trust it."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from amplify_py.cli._common import debug_option
from amplify_py.cli.local import local_app

__all__ = ["ca"]


@local_app.command("ca")
def ca(
    path_only: bool = typer.Option(False, "--path", help="Print only the certificate's path (for scripts)."),
    debug: bool = debug_option(),
) -> None:
    """Show (creating it the first time) the CA that signs https://localhost for managed login."""
    from cryptography.hazmat.primitives import hashes

    from amplify_py.local.certificates import load_or_create_ca

    authority = load_or_create_ca()
    out = Console(highlight=False, soft_wrap=True)
    path = str(authority.cert_path)
    if path_only:
        out.print(path, markup=False)
        return
    fingerprint = authority.certificate.fingerprint(hashes.SHA256()).hex(":").upper()
    state = "created now" if authority.created else "created earlier"
    out.print(f"[bold]Local certificate authority[/] ({state}): {escape(path)}")
    out.print(f"Valid until {authority.certificate.not_valid_after_utc:%Y-%m-%d}; SHA-256 {fingerprint}")
    out.print(f"Its private key ({escape(str(authority.key_path))}) stays on this machine, readable by you only.\n")
    out.print("The local engine serves managed login (auth.oauth.domain, localhost:<port>) over HTTPS with a "
              "certificate this CA signs. Trust it once, where you sign in:")
    for where, command in (
        ("Debian, Ubuntu", f"sudo cp {path} /usr/local/share/ca-certificates/amplify-py-local-ca.crt && "
                           "sudo update-ca-certificates"),
        ("Fedora, RHEL", f"sudo trust anchor --store {path}"),
        ("macOS", f"sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {path}"),
        ("Windows", f"certutil -user -addstore Root {path}"),
        ("Chrome, Chromium on Linux", f'certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n amplify-py-local-ca -i {path}'),
        ("Firefox", "Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import"),
        ("Node.js", f"NODE_EXTRA_CA_CERTS={path}"),
    ):
        out.print(f"  [bold]{escape(where)}[/]: {escape(command)}")
    out.print("amplify_py.auth trusts it without this: amplify_outputs.json names it in custom.local_engine.")
