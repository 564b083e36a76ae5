warning(String(-7 % 2))
site { }
