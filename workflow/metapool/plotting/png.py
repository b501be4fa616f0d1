"""A PNG encoder for Agg's RGBA buffer: 8-bit RGB, filter type 0 on every row, one zlib stream.

PNG (ISO/IEC 15948, W3C PNG 2nd ed.): the signature, IHDR, pHYs (pixels per metre = dpi / 0.0254,
rounded, as Pillow writes it), one IDAT holding zlib(rows, each a filter-type byte then its RGB
bytes), IEND; every chunk is length, type, data, CRC-32 of type + data. Unfiltered rows of these
mostly white figures deflate to about the size of Pillow's adaptively filtered ones, and skipping
Pillow's filter search and RGBA->RGB copy makes encoding about three times faster. Deterministic:
no time or software chunk.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COMPRESSION = 1  # zlib level: about twice as fast as 6 for files ~20% larger
_RGB = np.dtype([("rgb", "V3"), ("alpha", "u1")])  # an RGBA pixel as its 3 colour bytes + alpha


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def rows(rgba: np.ndarray) -> np.ndarray:
    """PNG scanlines of an (h, w, 4) uint8 image: a 0 (no filter) byte, then each pixel's RGB."""
    h, w = rgba.shape[:2]
    out = np.empty((h, 1 + 3 * w), np.uint8)
    out[:, 0] = 0
    out[:, 1:].view("V3")[...] = np.ascontiguousarray(rgba).view(_RGB)[..., 0]["rgb"]
    return out


def encode(rgba: np.ndarray, dpi: float) -> bytes:
    """The RGB PNG of an (h, w, 4) uint8 image (alpha dropped), with pHYs at `dpi`."""
    h, w = rgba.shape[:2]
    ppm = int(dpi / 0.0254 + 0.5)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit truecolour, deflate, no interlace
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
            + _chunk(b"IDAT", zlib.compress(rows(rgba), COMPRESSION)) + _chunk(b"IEND", b""))
