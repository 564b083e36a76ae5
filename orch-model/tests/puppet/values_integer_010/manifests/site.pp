warning(String(Integer('010')))
site { }
