from . import hotel_feedback
