warning(String("" == undef))
site { }
