notify { ['a', '']: }
site { }
