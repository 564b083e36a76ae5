# Type[T] checks and <= between types: assignability, pair by pair ([T, U]: is U a T?).
$pairs = [
  [Integer[default, 5], Integer[1, 5]], [Integer[1, 5], Integer[default, 5]], [Float, Integer], [Numeric, Float[1.0]],
  [String[0, 0], String[0, 0]], [String[1], Enum['']], [Enum['a'], Pattern[/a/]], [Pattern[/a/, /b/], Pattern[/a/]], [Pattern[/a/], Pattern[/a/, /b/]],
  [Scalar, Numeric], [Scalar, Undef], [ScalarData, Enum['a']], [Data, Variant[Integer, Array[String]]], [Data, Notify], [Data, Default],
  [RichData, Notify], [RichData, Undef], [Array[Data], Array[Array[Integer]]], [Array[Array[Numeric]], Array[Array[Integer]]], [Array[Integer, 2, 3], Tuple[Integer, Integer]],
  [Array[Integer, 3], Tuple[Integer, Integer]], [Tuple[Integer, 0, 5], Array[Integer, 2]], [Tuple[Integer, String, 1, 2], Tuple[Integer]],
  [Hash[String, Integer, 1], Hash[String, Integer]], [Hash[Scalar, Data], Hash[String, Integer]], [Hash[Integer, String], Struct[{a => String}]],
  [Struct[{a => Optional[Integer]}], Struct[{}]], [Struct[{Optional[a] => Integer}], Struct[{a => Integer}]], [Struct[{a => Integer}], Struct[{Optional[a] => Integer}]],
  [Struct[{a => Integer}], Hash[String, Integer]], [Optional[String], Enum['a']], [Optional, Integer], [NotUndef[String], Enum['x']], [NotUndef[Optional[String]], String],
  [Variant[Integer[1,2], Integer[3,4]], Integer[1,4]], [Variant[Array[Integer], Hash], Array[Integer]], [Variant, Integer], [Type[Numeric], Type[Integer[1,2]]],
  [Type[Resource], Type[Notify]], [Type[Notify], Type[Resource]], [Type[Type[Integer]], Type[Type[Integer[1,1]]]], [Collection[2, 3], Tuple[Integer, Integer]],
  [Collection, String], [Iterable, Hash[String, Integer]], [Iterable, Type[Integer[1, 2]]], [Iterable, Enum['a']], [Iterable, Float], [Resource, Class],
  [Resource['file'], File['/x']], [File['/x'], File['/x']], [File['/x'], File], [Class, Class['a']], [CatalogEntry, Resource], [Any, Undef],
  [Undef, Optional[Integer]], [Default, Undef], [Boolean, Variant[Boolean]], [Sensitive[Integer], Sensitive[Integer[1,2]]], [Optional[M::Port], M::Port], [M::Port, Optional[M::Port]],
  [Array[M::Port], Array[Integer[80, 443]]], [Hash[M::Name, M::Port], Hash[Enum['a'], Integer[80,80]]], [M::Name, String], [Regexp[/a/], Regexp[/b/]], [Regexp, Pattern[/a/]],
  [Tuple, Array[Integer]], [Struct, Hash[String, Integer]], [Hash, Struct[{a => Integer}]], [Array, Tuple[Integer]],

]
$r = $pairs.map |$p| { [$p[1] =~ Type[$p[0]], $p[1] <= $p[0]] }
warning(String($r.map |$x| { if $x[0] { 'T' } else { 'f' } }.join('')))
warning(String($r.map |$x| { if $x[1] { 'T' } else { 'f' } }.join('')))
warning(String([Integer < Numeric, Numeric > Integer, Integer < Integer, Integer <= Integer, Integer >= Numeric, Numeric >= Float]))
site { }
