from . import cleaning, reader
