"""The PNG encoder (metapool.plotting.png): a valid RGB PNG with exactly the rasterised pixels."""

import io
import zlib

import numpy as np
from PIL import Image

from metapool.plotting import png


def test_decodes_to_the_rgb_of_the_buffer_like_pillows_encoding():
    rgba = np.random.default_rng(1).integers(0, 256, (37, 53, 4), dtype=np.uint8)
    ours = Image.open(io.BytesIO(png.encode(rgba, 300)))
    old = io.BytesIO()
    Image.fromarray(rgba[:, :, :3], "RGB").save(old, format="PNG", dpi=(300, 300))
    pillow = Image.open(io.BytesIO(old.getvalue()))
    assert ours.mode == "RGB" and ours.info["dpi"] == pillow.info["dpi"]
    assert np.array_equal(np.asarray(ours), rgba[:, :, :3])
    assert np.array_equal(np.asarray(ours), np.asarray(pillow))


def test_chunks_and_crcs_are_valid():
    data = png.encode(np.full((3, 2, 4), 255, np.uint8), 72)
    assert data.startswith(png.SIGNATURE)
    i, kinds = len(png.SIGNATURE), []
    while i < len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + n]
        assert int.from_bytes(data[i + 8 + n:i + 12 + n], "big") == zlib.crc32(kind + body)
        kinds.append(kind)
        i += 12 + n
    assert kinds == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]
    Image.open(io.BytesIO(data)).verify()

