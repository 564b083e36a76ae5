warning(String(Numeric('1.5')))
site { }
