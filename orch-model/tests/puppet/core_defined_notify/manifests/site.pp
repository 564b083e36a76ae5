warning(String(defined(Notify)))
site { }
