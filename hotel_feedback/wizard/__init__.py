from . import hotel_review_import
