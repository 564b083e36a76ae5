warning(String(/b/ in ['abc']))
site { }
