warning(String(convert_to('1', Integer)))
site { }
