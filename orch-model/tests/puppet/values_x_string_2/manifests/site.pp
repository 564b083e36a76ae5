warning(String('x' =~ String[2]))
site { }
