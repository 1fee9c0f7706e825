//! The desk's closed sets of strings as enums, in the taxonomy's house
//! style: each value has a stable id (what the database stores and JSON
//! shows), `as_str`, `FromStr`, `ALL`, and, where people read it, an
//! Italian label.

/// Declares a closed set: an enum whose values serialise as their ids,
/// with `ALL`, `IDS`, `as_str`, `Display` (the id, honouring width),
/// `FromStr` (refusing anything else with [`crate::DeskError::InvalidInput`]
/// naming the kind), `Into<piazza_store::Value>` (the id, for SQL
/// parameters) and, when every value has one (`Variant = "id" =>
/// "etichetta"`), `label_it`.
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $id:literal $(=> $label:literal)?, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in canonical order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];
            /// Every id, in canonical order (for error messages and docs).
            pub const IDS: &'static [&'static str] = &[ $( $id, )+ ];

            /// The stable id, as stored and serialised.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $id, )+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::DeskError;
            fn from_str(s: &str) -> ::std::result::Result<Self, $crate::DeskError> {
                match s {
                    $( $id => Ok($name::$variant), )+
                    _ => Err($crate::DeskError::InvalidInput(format!(
                        "valore sconosciuto `{s}` per «{}»; quelli possibili sono: {}",
                        $kind,
                        Self::IDS.join(", ")
                    ))),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }

        impl From<$name> for piazza_store::Value {
            fn from(v: $name) -> Self {
                piazza_store::Value::Text(v.as_str().to_string())
            }
        }

        closed_set!(@labels $name { $( $variant $(=> $label)?, )+ });
    };
    (@labels $name:ident { $( $variant:ident => $label:literal, )+ }) => {
        impl $name {
            /// A short Italian label for people.
            pub const fn label_it(self) -> &'static str {
                match self { $( $name::$variant => $label, )+ }
            }
        }
    };
    (@labels $name:ident { $( $variant:ident, )+ }) => {};
}
