notify { ['a', [undef]]: }
site { }
