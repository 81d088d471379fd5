"""Links to PowerCode pages that staff open in a browser."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

STAFF_PORT = 444  # PowerCode serves its staff pages here unless the URL says otherwise


def customer_page_url(pc_url: str, customer_id: str) -> str:
    """Return the address of a customer's page in PowerCode's staff interface."""
    pc_url = pc_url.rstrip("/")
    if "://" not in pc_url:
        pc_url = f"https://{pc_url}"  # a bare host name: staff pages are HTTPS
    parts = urlsplit(pc_url)
    netloc = parts.netloc if parts.port is not None else f"{parts.netloc}:{STAFF_PORT}"

    base = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    page = "index.php?q&page=/customers/_view.php"
    return f"{base}/{page}&customerid={quote(str(customer_id), safe='')}"
