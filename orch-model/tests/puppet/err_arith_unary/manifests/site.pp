$x = -undef
site { }
