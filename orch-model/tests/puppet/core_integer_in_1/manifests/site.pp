warning(String(Integer in [1]))
site { }
