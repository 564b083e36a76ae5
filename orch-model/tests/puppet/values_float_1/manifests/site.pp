warning(String(Float(1)))
site { }
