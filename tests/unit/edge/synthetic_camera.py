"""A known pinhole camera over a floor, to generate exact floor points, boxes and keypoints.

Tests of calibration and filters use it so the truth (mounting height, focal length, a
person's height) is known exactly and the code under test must recover it.
"""

from __future__ import annotations

import math

import numpy as np
from footfall.edge.calibration import CameraCalibration, FloorPoint, ReferencePerson


class SyntheticCamera:
    """Camera at ``height_m`` above the floor origin, looking along +y, tilted down ``tilt_deg``."""

    def __init__(
        self, *, height_m: float = 3.5, tilt_deg: float = 40.0, focal_px: float = 600.0, size=(640, 480)
    ) -> None:
        self.height_m, self.focal_px, self.size = height_m, focal_px, size
        tilt = math.radians(tilt_deg)
        # world: x right, y forward along the floor, z up. camera: x right, y down, z forward.
        forward = np.array([0.0, math.cos(tilt), -math.sin(tilt)])
        right = np.array([1.0, 0.0, 0.0])
        down = np.cross(forward, right)
        rotation = np.vstack([right, down, forward])
        centre = np.array([0.0, 0.0, height_m])
        k = np.array([[focal_px, 0, size[0] / 2], [0, focal_px, size[1] / 2], [0, 0, 1.0]])
        self.projection = k @ np.column_stack([rotation, -rotation @ centre])

    def project(self, x: float, y: float, z: float = 0.0) -> tuple[float, float]:
        p = self.projection @ np.array([x, y, z, 1.0])
        return (float(p[0] / p[2]), float(p[1] / p[2]))

    def person_box(self, x: float, y: float, height_m: float, width_m: float = 0.45):
        """Box of an upright person standing at floor (x, y)."""
        left = self.project(x - width_m / 2, y, height_m / 2)[0]
        right = self.project(x + width_m / 2, y, height_m / 2)[0]
        top = self.project(x, y, height_m)[1]
        bottom = self.project(x, y, 0.0)[1]
        return (left, top, right, bottom)

    def keypoints(self, x: float, y: float, height_m: float) -> np.ndarray:
        """COCO 17 keypoints with only eyes (1, 2) and ankles (15, 16) visible at anthropometric heights."""
        kp = np.zeros((17, 3))
        for index, dx in ((1, -0.03), (2, 0.03)):
            kp[index] = (*self.project(x + dx, y, 0.936 * height_m), 0.9)
        for index, dx in ((15, -0.1), (16, 0.1)):
            kp[index] = (*self.project(x + dx, y, 0.039 * height_m), 0.9)
        return kp

    def calibration(self, floor=None, **kwargs) -> CameraCalibration:
        floor = floor or [(-1.5, 3.0), (1.5, 3.0), (1.5, 6.0), (-1.5, 6.0)]
        points = [FloorPoint(image=self.project(x, y), floor=(x, y)) for x, y in floor]
        return CameraCalibration(
            image_width=self.size[0], image_height=self.size[1], floor_points=points, **kwargs
        )

    def reference(self, x: float, y: float, height_m: float) -> ReferencePerson:
        return ReferencePerson(foot=self.project(x, y), head=self.project(x, y, height_m), height_m=height_m)
