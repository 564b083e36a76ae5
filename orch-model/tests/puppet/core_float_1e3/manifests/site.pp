warning(String(Float('1e3')))
site { }
