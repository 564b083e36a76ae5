warning(String(Tuple[Integer, String]))
site { }
