from . import test_points_compensation
