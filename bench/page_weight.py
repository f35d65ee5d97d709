"""Page weight of the phone's task list: the HTML with its CSS and JavaScript, gzip-compressed.

Run: python bench/page_weight.py   (target: under 60 KB; photos and map tiles excluded)
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp import create_app, db  # noqa: E402
from webapp.domain.taskset import load_taskset_file  # noqa: E402
from webapp.services import accounts, tasksets  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        db.upgrade(url)
        now = datetime.now(UTC)
        app = create_app(
            {"app": {"secret_key": "bench", "instance_path": folder}, "database": {"url": url}}
        )
        with db.new_session(app.extensions["engine"]) as session:
            owner = accounts.create_account(
                session, email="b@example.org", name="B", password="benchmark", now=now
            )
            event = tasksets.create_event(
                session,
                taskset=load_taskset_file(REPO / "tasks" / "field-day.toml"),
                owner=owner,
                now=now,
                group_count=3,
                local_start=(now - timedelta(hours=1)).astimezone().strftime("%Y-%m-%dT%H:%M"),
            )
            session.commit()
            code = tasksets.groups.groups_of(session, event.id)[0].join_code
        client = app.test_client()
        page = client.get("/join").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/join", data={"csrf_token": token, "code": code, "name": "Bench"})
        html = client.get("/play/").get_data()
        assets = assets_of(client, html.decode())
        sizes = {"html": len(gzip.compress(html, 6))}
        for path, body in assets.items():
            sizes[path] = len(gzip.compress(body, 6))
        app.extensions["engine"].dispose()
    for name, size in sizes.items():
        print(f"{name:40} {size / 1024:6.1f} KB gzip")
    total = sum(sizes.values()) / 1024
    print(f"page_weight_kb={total:.1f}")


def assets_of(client, html: str) -> dict[str, bytes]:
    """The stylesheet and every JavaScript module the page loads, following imports."""
    found: dict[str, bytes] = {}
    queue = re.findall(r'(?:href|src)="(/static/[^"?]+\.(?:css|js))', html)
    while queue:
        path = queue.pop()
        if path in found:
            continue
        response = client.get(path)
        found[path] = response.get_data()
        response.close()
        if path.endswith(".js"):
            base = path.rsplit("/", 1)[0]
            queue += [
                f"{base}/{name}" for name in re.findall(r'from "\./([^"]+)"', found[path].decode())
            ]
    return found


if __name__ == "__main__":
    main()
