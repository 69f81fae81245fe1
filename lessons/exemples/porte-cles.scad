// Porte-clés : base 40 x 12 x 2 mm, prénom en relief de 1 mm, trou de 5 mm.
difference() {
  cube([40, 12, 2]);
  translate([5, 6, -1]) cylinder(d = 5, h = 4, $fn = 32);
}
translate([10.5, 2.5, 2]) linear_extrude(1)
  text("Léo", size = 7, font = "DejaVu Sans:style=Bold");
