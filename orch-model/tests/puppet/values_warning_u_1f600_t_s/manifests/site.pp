warning("\u{1F600}|\t|\\|\$|\s")
site { }
