warning(String(split('a1b2', /\d/)))
site { }
