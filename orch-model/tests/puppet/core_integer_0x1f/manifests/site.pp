warning(String(Integer('0x1F')))
site { }
