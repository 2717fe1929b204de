"""Z-buffer rasteriser, shading, keypoint visibility and compositing.

Three primitive types cover hands, arms and objects: tapered capsules (finger
segments, forearms, sticks), ellipsoids (palm, balls, torso) and planar convex
polygons (cards, boxes). Each is rasterised analytically and vectorised with
numpy over its bounding box into per-pixel buffers of depth, part label,
material, surface normal and the position along a capsule's axis; the nearest
surface wins per pixel (a true z-buffer, so intersecting parts are right).

Camera frame: x right, y down, z forward; pixel centres at integer (u, v).
Capsule radii are projected with fx (square pixels assumed).
"""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np

# Primitives closer than this to the camera plane are clipped (metres).
NEAR = 0.05
# A keypoint is hidden when the front surface at its pixel is nearer than the
# keypoint by more than its radius plus VISIBILITY_TOLERANCE (metres); for a
# surface of its own parts the allowance is OWN_PART_DEPTH radii (the palm
# over a knuckle does not hide it, the palm seen edge-on across the hand does).
VISIBILITY_TOLERANCE = 0.004
OWN_PART_DEPTH = 2.5

# Skin shading: palmar skin blends in where the normal faces the palmar side;
# nails sit on the dorsal half of the distal segment's outer part.
PALMAR_SHARPNESS = 1.5
NAIL_START = 0.5
NAIL_COS = 0.45
NAIL_BLEND = 0.35
NAIL_RGB = np.array([0.94, 0.80, 0.76], np.float32)
# Light scattered under the skin reddens its shadows: per-channel gain added
# in proportion to how far the shading falls below full light.
SKIN_SCATTER_TINT = np.array([0.25, 0.0, -0.1], np.float32)


@dataclass
class Capsule:
    """A tapered capsule: spheres of radius ``ra``/``rb`` at ``a``/``b``."""

    a: np.ndarray
    b: np.ndarray
    ra: float
    rb: float
    label: int
    material: int


@dataclass
class Ellipsoid:
    """An ellipsoid; the columns of ``axes`` are its three semi-axis vectors."""

    center: np.ndarray
    axes: np.ndarray
    label: int
    material: int


@dataclass
class Polygon:
    """A planar convex polygon, vertices (N, 3) in order."""

    vertices: np.ndarray
    label: int
    material: int


Primitive = Union[Capsule, Ellipsoid, Polygon]


def transform(prim: Primitive, rotation: np.ndarray,
              translation: np.ndarray) -> Primitive:
    """Apply ``x -> rotation @ x + translation`` (rotation may mirror)."""
    if isinstance(prim, Capsule):
        return Capsule(rotation @ prim.a + translation,
                       rotation @ prim.b + translation, prim.ra, prim.rb,
                       prim.label, prim.material)
    if isinstance(prim, Ellipsoid):
        return Ellipsoid(rotation @ prim.center + translation,
                         rotation @ prim.axes, prim.label, prim.material)
    return Polygon(prim.vertices @ rotation.T + translation, prim.label,
                   prim.material)


@dataclass
class RenderBuffers:
    """Per-pixel result of :func:`rasterize`.

    Attributes:
        depth (np.ndarray): (H, W) float32 z of the front surface, inf if empty.
        label (np.ndarray): (H, W) uint8 part label of the front surface, 0 if
            empty.
        material (np.ndarray): (H, W) uint8 material index.
        normal (np.ndarray): (3, H, W) float32 unit normal facing the camera
            (channel first: each component is a contiguous plane).
        along (np.ndarray): (H, W) float32 position along a capsule's axis
            (0 at ``a``, 1 at ``b``; 0 for other primitives).
    """

    depth: np.ndarray
    label: np.ndarray
    material: np.ndarray
    normal: np.ndarray
    along: np.ndarray

    @classmethod
    def empty(cls, height: int, width: int) -> 'RenderBuffers':
        return cls(
            np.full((height, width), np.inf, np.float32),
            np.zeros((height, width), np.uint8),
            np.zeros((height, width), np.uint8),
            np.zeros((3, height, width), np.float32),
            np.zeros((height, width), np.float32))


@dataclass
class MaterialTable:
    """Surface materials indexed by the material buffer.

    Attributes:
        albedo (np.ndarray): (M, 3) RGB in [0, 1] (dorsal skin for skin).
        palmar (np.ndarray): (M, 3) palmar-skin RGB (used when ``skin``).
        skin (np.ndarray): (M,) bool, skin shading (palms, nails, scatter).
        stripes (np.ndarray): (M, 4) stripe pattern (cycles per px along u,
            along v, phase, amplitude); amplitude 0 for none.
        specular (np.ndarray): (M, 2) strength and Blinn-Phong exponent.
    """

    albedo: np.ndarray
    palmar: np.ndarray
    skin: np.ndarray
    stripes: np.ndarray
    specular: np.ndarray


@dataclass(frozen=True)
class Light:
    """A directional light plus ambient light.

    Attributes:
        direction (np.ndarray): (3,) unit vector from the surface to the light.
        ambient (float): Ambient intensity.
        diffuse (float): Lambertian intensity.
        colour (np.ndarray): (3,) RGB tint of the light.
    """

    direction: np.ndarray
    ambient: float
    diffuse: float
    colour: np.ndarray


def _roi(buf: RenderBuffers, x0: float, x1: float, y0: float,
         y1: float) -> Optional[Tuple[int, int, int, int]]:
    h, w = buf.depth.shape
    xa, xb = max(int(np.floor(x0)), 0), min(int(np.ceil(x1)) + 1, w)
    ya, yb = max(int(np.floor(y0)), 0), min(int(np.ceil(y1)) + 1, h)
    if xa >= xb or ya >= yb:
        return None
    return xa, xb, ya, yb


def _update(buf: RenderBuffers, roi: Tuple[int, int, int, int],
            inside: np.ndarray, z: np.ndarray, label: int, material: int,
            normal: Sequence, along: Union[np.ndarray, float]) -> None:
    """Write the pixels where the primitive is in front (the depth test).

    ``normal`` holds the three components, each an array or a scalar.
    """
    xa, xb, ya, yb = roi
    depth = buf.depth[ya:yb, xa:xb]
    win = inside & (z < depth)
    if not win.any():
        return
    np.copyto(depth, z, where=win)
    np.copyto(buf.label[ya:yb, xa:xb], np.uint8(label), where=win)
    np.copyto(buf.material[ya:yb, xa:xb], np.uint8(material), where=win)
    for i in range(3):
        np.copyto(buf.normal[i, ya:yb, xa:xb], normal[i], where=win)
    np.copyto(buf.along[ya:yb, xa:xb], along, where=win)


def _grid(roi: Tuple[int, int, int, int]) -> Tuple[np.ndarray, np.ndarray]:
    xa, xb, ya, yb = roi
    return (np.arange(xa, xb, dtype=np.float32)[None, :],
            np.arange(ya, yb, dtype=np.float32)[:, None])


def _draw_capsule(buf: RenderBuffers, K: np.ndarray, cap: Capsule) -> None:
    a, b = np.asarray(cap.a, np.float64), np.asarray(cap.b, np.float64)
    ra3, rb3 = cap.ra, cap.rb
    if a[2] < NEAR and b[2] < NEAR:
        return
    if a[2] < NEAR or b[2] < NEAR:
        # Cut the segment at the near plane (arms reaching to the camera).
        s = (NEAR - a[2]) / (b[2] - a[2])
        cut, rcut = a + s * (b - a), ra3 + s * (rb3 - ra3)
        if a[2] < NEAR:
            a, ra3 = cut, rcut
        else:
            b, rb3 = cut, rcut
    fx, fy, cx, cy = K[0, 0], K[1, 1], K[0, 2], K[1, 2]
    ax, ay = fx * a[0] / a[2] + cx, fy * a[1] / a[2] + cy
    bx, by = fx * b[0] / b[2] + cx, fy * b[1] / b[2] + cy
    ra, rb = fx * ra3 / a[2], fx * rb3 / b[2]
    roi = _roi(buf, min(ax - ra, bx - rb), max(ax + ra, bx + rb),
               min(ay - ra, by - rb), max(ay + ra, by + rb))
    if roi is None:
        return
    # Python-float scalars keep the float32 arrays float32; in-place updates
    # keep the per-call overhead down (a capsule covers few pixels, so the
    # fixed cost of each call matters).
    xa, xb, ya, yb = roi
    xs = np.arange(xa - ax, xb - ax, dtype=np.float32)[:xb - xa]
    ys = np.arange(ya - ay, yb - ay, dtype=np.float32)[:yb - ya, None]
    dx, dy = float(bx - ax), float(by - ay)
    length2 = dx * dx + dy * dy
    if length2 > 1e-9:
        t = xs * (dx / length2) + ys * (dy / length2)
        np.clip(t, 0.0, 1.0, out=t)
    else:
        t = np.zeros((yb - ya, xb - xa), np.float32)
    px = xs - t * dx
    py = ys - t * dy
    r = t * (rb - ra)
    r += ra
    ratio2 = px * px
    ratio2 += py * py
    ratio2 /= r * r
    inside = ratio2 < 1.0
    if not inside.any():
        return
    h = np.subtract(1.0, ratio2, out=ratio2)
    np.maximum(h, 0.0, out=h)
    np.sqrt(h, out=h)
    z = t * float(b[2] - a[2])
    z += float(a[2])
    radius = t * float(rb3 - ra3)
    radius += float(ra3)
    radius *= h
    z -= radius
    px /= r
    py /= r
    np.negative(h, out=h)
    _update(buf, roi, inside, z, cap.label, cap.material, (px, py, h), t)


def _rays(K: np.ndarray, roi: Tuple[int, int, int, int]
          ) -> Tuple[np.ndarray, np.ndarray]:
    xs, ys = _grid(roi)
    return ((xs - np.float32(K[0, 2])) / np.float32(K[0, 0]),
            (ys - np.float32(K[1, 2])) / np.float32(K[1, 1]))


def _draw_ellipsoid(buf: RenderBuffers, K: np.ndarray, ell: Ellipsoid) -> None:
    c = np.asarray(ell.center, np.float64)
    axes = np.asarray(ell.axes, np.float64)
    half = np.sqrt((axes ** 2).sum(axis=1))
    if c[2] - half[2] < NEAR:
        return
    corners = c + half * np.array(np.meshgrid(
        [-1, 1], [-1, 1], [-1, 1])).reshape(3, -1).T
    uv = corners[:, :2] / corners[:, 2:3] * [K[0, 0], K[1, 1]] + K[:2, 2]
    roi = _roi(buf, uv[:, 0].min(), uv[:, 0].max(), uv[:, 1].min(),
               uv[:, 1].max())
    if roi is None:
        return
    m = np.linalg.inv(axes).astype(np.float32)
    o = (-m @ c).astype(np.float32)
    rx, ry = _rays(K, roi)
    # Ray x = t * (rx, ry, 1) in the ellipsoid's unit-sphere coordinates.
    d = [m[i, 0] * rx + m[i, 1] * ry + m[i, 2] for i in range(3)]
    qa = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    qb = 2 * (o[0] * d[0] + o[1] * d[1] + o[2] * d[2])
    disc = qb * qb - 4 * qa * np.float32(o @ o - 1)
    inside = disc > 0
    if not inside.any():
        return
    z = (-qb - np.sqrt(np.maximum(disc, 0))) / (2 * qa)
    q = [o[i] + z * d[i] for i in range(3)]
    # The gradient of |M (x - c)|^2 is M^T M (x - c) = M^T q.
    n = [m[0, j] * q[0] + m[1, j] * q[1] + m[2, j] * q[2] for j in range(3)]
    norm = np.maximum(np.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]), 1e-12)
    _update(buf, roi, inside & (z > NEAR), z, ell.label, ell.material,
            [c / norm for c in n], 0.0)


def _draw_polygon(buf: RenderBuffers, K: np.ndarray, poly: Polygon) -> None:
    v = np.asarray(poly.vertices, np.float64)
    if (v[:, 2] < NEAR).any():
        return
    uv = v[:, :2] / v[:, 2:3] * [K[0, 0], K[1, 1]] + K[:2, 2]
    roi = _roi(buf, uv[:, 0].min(), uv[:, 0].max(), uv[:, 1].min(),
               uv[:, 1].max())
    if roi is None:
        return
    xa, xb, ya, yb = roi
    mask = np.zeros((yb - ya, xb - xa), np.uint8)
    pts = np.round((uv - [xa, ya]) * 16).astype(np.int32)
    cv2.fillConvexPoly(mask, pts, 1, lineType=cv2.LINE_8, shift=4)
    n = np.cross(v[1] - v[0], v[2] - v[0])
    n /= np.linalg.norm(n)
    if n @ v[0] > 0:
        n = -n
    rx, ry = _rays(K, roi)
    denom = np.float32(n[0]) * rx + np.float32(n[1]) * ry + np.float32(n[2])
    with np.errstate(divide='ignore'):
        z = np.float32(n @ v[0]) / denom
    inside = (mask > 0) & (z > NEAR)
    _update(buf, roi, inside, z, poly.label, poly.material,
            n.astype(np.float32), 0.0)


def rasterize(primitives: Sequence[Primitive], K: np.ndarray,
              image_size: Tuple[int, int]) -> RenderBuffers:
    """Render primitives into z-buffered per-pixel buffers.

    Args:
        primitives: Capsules, ellipsoids and polygons in the camera frame.
        K (np.ndarray): 3x3 intrinsics.
        image_size (tuple): ``(height, width)``.

    Returns:
        RenderBuffers: front-surface depth, label, material, normal, along.
    """
    buf = RenderBuffers.empty(*image_size)
    for prim in primitives:
        if isinstance(prim, Capsule):
            _draw_capsule(buf, K, prim)
        elif isinstance(prim, Ellipsoid):
            _draw_ellipsoid(buf, K, prim)
        elif isinstance(prim, Polygon):
            _draw_polygon(buf, K, prim)
        else:
            raise TypeError(f'unknown primitive {type(prim).__name__}')
    return buf


def keypoint_visibility(buffers: RenderBuffers, xyz: np.ndarray, K: np.ndarray,
                        own_labels: np.ndarray,
                        radii: np.ndarray) -> np.ndarray:
    """Visibility of keypoints from the depth test.

    A keypoint is visible when it projects inside the image and the front
    surface at its (rounded) pixel is not nearer than
    ``z - radius - VISIBILITY_TOLERANCE``, or belongs to one of the keypoint's
    own parts and is not nearer than
    ``z - OWN_PART_DEPTH * radius - VISIBILITY_TOLERANCE``. Otherwise another
    hand part, the arm or an occluder hides it.

    Args:
        buffers (RenderBuffers): Output of :func:`rasterize`.
        xyz (np.ndarray): (N, 3) camera-frame keypoints.
        K (np.ndarray): 3x3 intrinsics.
        own_labels (np.ndarray): (N, 256) bool, the labels of each keypoint's
            own parts (the segments meeting at it).
        radii (np.ndarray): (N,) body radius at each keypoint (metres).

    Returns:
        np.ndarray: (N,) bool.
    """
    xyz = np.asarray(xyz, np.float64)
    height, width = buffers.depth.shape
    uvw = xyz @ np.asarray(K, np.float64).T
    with np.errstate(divide='ignore', invalid='ignore'):
        uv = uvw[:, :2] / uvw[:, 2:3]
    col = np.round(np.nan_to_num(uv[:, 0], nan=-1.0, posinf=-1.0,
                                 neginf=-1.0)).astype(np.int64)
    row = np.round(np.nan_to_num(uv[:, 1], nan=-1.0, posinf=-1.0,
                                 neginf=-1.0)).astype(np.int64)
    inside = ((xyz[:, 2] > 0) & (col >= 0) & (col < width) & (row >= 0)
              & (row < height))
    col, row = np.where(inside, col, 0), np.where(inside, row, 0)
    front_label = buffers.label[row, col]
    front_depth = buffers.depth[row, col].astype(np.float64)
    own = own_labels[np.arange(len(xyz)), front_label]
    allowance = np.where(own, OWN_PART_DEPTH, 1.0) * radii + \
        VISIBILITY_TOLERANCE
    return inside & (front_depth >= xyz[:, 2] - allowance)


def shade(buffers: RenderBuffers, materials: MaterialTable, light: Light,
          palmar_dirs: np.ndarray, nail_labels: np.ndarray) -> np.ndarray:
    """Colour the rendered surfaces (Lambert + Blinn-Phong, skin effects).

    Args:
        buffers (RenderBuffers): Output of :func:`rasterize`.
        materials (MaterialTable): Materials indexed by ``buffers.material``.
        light (Light): The light.
        palmar_dirs (np.ndarray): (256, 3) palmar direction (camera frame) of
            each label's part; zero where there is none.
        nail_labels (np.ndarray): (256,) bool, labels of distal segments.

    Returns:
        np.ndarray: (H, W, 3) float32 RGB in [0, 1] (0 where nothing is drawn).
    """
    height, width = buffers.label.shape
    planes = np.zeros((3, height * width), np.float32)
    idx = np.flatnonzero(buffers.label)
    if idx.size:
        rgb = _shade_pixels(buffers, idx, materials, light, palmar_dirs,
                            nail_labels)
        for c in range(3):
            planes[c].put(idx, rgb[c])
    return cv2.merge([p.reshape(height, width) for p in planes])


def _shade_pixels(buffers: RenderBuffers, idx: np.ndarray,
                  materials: MaterialTable, light: Light,
                  palmar_dirs: np.ndarray,
                  nail_labels: np.ndarray) -> np.ndarray:
    """(3, m) RGB of the drawn pixels ``idx`` (flat indices).

    Channel-first arrays and ``np.take`` keep the gathers cheap.
    """
    n = np.take(buffers.normal.reshape(3, -1), idx, axis=1)
    mat = np.take(buffers.material, idx)
    lab = np.take(buffers.label, idx)
    skin = np.take(materials.skin, mat)
    albedo = np.take(np.ascontiguousarray(materials.albedo.T), mat, axis=1)
    intensity = light.ambient + light.diffuse * np.clip(
        np.asarray(light.direction, np.float32) @ n, 0.0, None)
    if skin.any():
        cos_palmar = np.einsum(
            'ij,ij->j', n,
            np.take(np.ascontiguousarray(palmar_dirs.T, np.float32), lab,
                    axis=1))
        w = np.clip(cos_palmar * PALMAR_SHARPNESS, 0.0, 1.0) * skin
        palmar = np.take(np.ascontiguousarray(materials.palmar.T), mat, axis=1)
        albedo += (palmar - albedo) * w
        nail = (skin & np.take(nail_labels, lab) & (-cos_palmar > NAIL_COS)
                & (np.take(buffers.along, idx) > NAIL_START))
        albedo = np.where(nail, albedo + (NAIL_RGB[:, None] - albedo)
                          * NAIL_BLEND, albedo)
    stripes = np.take(materials.stripes, mat, axis=0)
    if (stripes[:, 3] > 0).any():
        rows, cols = np.divmod(idx, buffers.label.shape[1])
        phase = (2 * np.pi * (stripes[:, 0] * cols + stripes[:, 1] * rows)
                 + stripes[:, 2])
        albedo *= 1 + stripes[:, 3] * np.sign(np.sin(phase))
    # Sub-surface scattering: shadows on skin turn redder.
    shadow = np.clip(1.0 - intensity, 0.0, None) * skin
    rgb = albedo * (intensity + SKIN_SCATTER_TINT[:, None] * shadow)
    half = np.asarray(light.direction, np.float32) + np.array(
        [0.0, 0.0, -1.0], np.float32)
    half /= np.linalg.norm(half)
    spec = np.take(materials.specular, mat, axis=0)
    highlight = spec[:, 0] * np.clip(half @ n, 0.0, None) ** spec[:, 1]
    return rgb * np.asarray(light.colour, np.float32)[:, None] + highlight


def composite(foreground: np.ndarray, label: np.ndarray,
              background: np.ndarray,
              shadow: Optional[Tuple[Tuple[int, int], float, float]] = None
              ) -> np.ndarray:
    """Put the rendered surfaces over a background, with soft edges.

    Args:
        foreground (np.ndarray): (H, W, 3) float32 output of :func:`shade`.
        label (np.ndarray): (H, W) label buffer (0 = background).
        background (np.ndarray): (H, W, 3) float32 RGB in [0, 1].
        shadow (tuple, optional): ``((dx, dy), strength, sigma)``: a drop shadow
            of the foreground cast onto the background.

    Returns:
        np.ndarray: (H, W, 3) float32 RGB.
    """
    cover = label > 0
    bg = background
    if shadow is not None:
        (dx, dy), strength, sigma = shadow
        height, width = label.shape
        # Blur at quarter resolution: the shadow is soft anyway.
        small = cv2.resize(cover.astype(np.float32), (width // 4, height // 4),
                           interpolation=cv2.INTER_AREA)
        shift = np.float32([[1, 0, dx / 4], [0, 1, dy / 4]])
        small = cv2.warpAffine(small, shift, small.shape[::-1])
        small = cv2.GaussianBlur(small, (0, 0), max(sigma / 4, 0.5))
        cast = cv2.resize(small, (width, height),
                          interpolation=cv2.INTER_LINEAR)
        bg = bg * (1 - strength * cast)[..., None]
    out = np.array(bg, np.float32)
    np.copyto(out, foreground, where=cover[..., None])
    # Anti-alias: soften the pixels next to every label boundary.
    edge = cv2.morphologyEx(label, cv2.MORPH_GRADIENT,
                            np.ones((3, 3), np.uint8)) > 0
    np.copyto(out, cv2.GaussianBlur(out, (3, 3), 0.8), where=edge[..., None])
    return out
