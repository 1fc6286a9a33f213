from . import cleaning, params, reader
