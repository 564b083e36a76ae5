type M::Name = Pattern[/\A[a-z]+\z/]
