// Porte-nom : plaque 50 x 15 x 2 mm, prénom en relief de 2 mm, trou de 4 mm.
difference() {
  cube([50, 15, 2]);
  translate([5, 7.5, -1]) cylinder(d = 4, h = 4, $fn = 32);
}
translate([9.5, 4, 2]) linear_extrude(2)
  text("Camille", size = 6.5, font = "DejaVu Sans:style=Bold");
