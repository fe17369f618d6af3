"""The wire: how arrays cross (codec), the trait types that check values (traits), and the
protocol source (which traits, who sets them, the limits). Depends on core only."""
