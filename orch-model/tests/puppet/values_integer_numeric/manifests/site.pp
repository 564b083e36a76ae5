warning(String(Integer < Numeric))
site { }
