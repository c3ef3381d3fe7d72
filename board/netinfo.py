"""The addresses this server answers on: what to print for the room and what Origin to allow."""

from __future__ import annotations

import socket


def lan_address() -> str | None:
    """This machine's address on the room's network, without sending a packet anywhere.

    Connecting a UDP socket only picks a route; with no network at all it fails and we say so.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def base_urls(host: str, port: int, https: bool) -> list[str]:
    """Every base URL a browser in the room may use to reach this server."""
    scheme = "https" if https else "http"
    hosts = ["localhost", "127.0.0.1"]
    if host not in ("0.0.0.0", "::", ""):
        hosts.append(host)
    else:
        lan = lan_address()
        if lan:
            hosts.append(lan)
        hosts.append(socket.gethostname())
    return [f"{scheme}://{h}:{port}" for h in dict.fromkeys(hosts)]


def room_url(host: str, port: int, https: bool) -> str:
    """The one address to print for the room: the LAN address when serving on all interfaces."""
    scheme = "https" if https else "http"
    if host in ("0.0.0.0", "::", ""):
        host = lan_address() or "127.0.0.1"
    return f"{scheme}://{host}:{port}"
