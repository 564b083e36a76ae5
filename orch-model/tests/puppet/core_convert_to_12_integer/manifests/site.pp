warning(String(convert_to('12', Integer)))
site { }
