"""Photo pipeline speed: both copies from a 12-megapixel phone JPEG, against a full decode.

Run: python bench/photos.py
Targets: both copies from the 12 MP JPEG in at most 1.25x a full decode; from a 1600-px
upload (what a downscaling phone sends) in under 40% of a 12 MP full decode.
Last line: photo_ratio_12mp=R1 photo_ratio_1600=R2 (each time / the 12 MP full decode).
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp.photos import process_photo  # noqa: E402

RUNS = 9


def camera_jpeg(width: int, height: int, seed: int = 7) -> bytes:
    """A smooth scene with sensor-like noise and a phone's EXIF (rotated, with a time)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    scene = np.stack(
        [(x * 255 // width), (y * 255 // height), ((x + y) * 127 // (width + height))], axis=-1
    ).astype(np.int16)
    noisy = np.clip(scene + rng.normal(0, 12, scene.shape), 0, 255).astype(np.uint8)
    image = Image.fromarray(noisy, "RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # held upright: stored sideways
    exif[0x010F], exif[0x0110] = "Samsung", "SM-A155F"
    exif.get_ifd(0x8769)[0x9003] = "2026:11:25 08:15:00"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def medians(jobs: dict[str, tuple]) -> dict[str, float]:
    """Median seconds of each job, run in turns so that a machine getting slower or faster
    during the run affects them all alike."""
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(RUNS):
        for name, (work, data) in jobs.items():
            started = time.perf_counter()
            work(data)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def full_decode(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def naive(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((1600, 1600))
        upright.save(io.BytesIO(), "JPEG", quality=82)
        upright.thumbnail((400, 400))
        upright.save(io.BytesIO(), "JPEG", quality=82)


def phone_upload(data: bytes) -> bytes:
    """What the phone's downscale (static/js/downscale.js) sends: upright, 1600 px, JPEG 0.85."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((1600, 1600))
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=85)
        return out.getvalue()


def main() -> None:
    big = camera_jpeg(4000, 3000)
    phone = phone_upload(big)
    process_photo(big)  # imports and caches warmed before timing
    found = medians(
        {
            "decode": (full_decode, big),
            "module_12": (process_photo, big),
            "naive_12": (naive, big),
            "module_1600": (process_photo, phone),
        }
    )
    decode, module_12 = found["decode"], found["module_12"]
    naive_12, module_1600 = found["naive_12"], found["module_1600"]
    print(f"12 MP JPEG ({len(big) / 1e6:.1f} MB): full decode {decode * 1000:.0f} ms")
    print(
        f"  module, both copies     {module_12 * 1000:6.0f} ms  ({module_12 / decode:.2f}x decode)"
    )
    print(f"  naive Pillow pipeline   {naive_12 * 1000:6.0f} ms  ({naive_12 / decode:.2f}x decode)")
    print(
        f"1600-px upload ({len(phone) / 1e3:.0f} KB): module {module_1600 * 1000:.0f} ms "
        f"({module_1600 / decode:.2f}x a 12 MP decode)"
    )
    print(f"photo_ratio_12mp={module_12 / decode:.2f} photo_ratio_1600={module_1600 / decode:.2f}")


if __name__ == "__main__":
    main()
