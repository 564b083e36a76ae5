warning(String(Integer('0b11')))
site { }
