// Package removable mounts, for a test, the file systems of a USB stick
// or a phone's card: FAT32 and exFAT, from an image, through FUSE
// (fusefat, exfat-fuse), which is how this machine has them (its kernel
// has no vfat or exfat). They store no permissions, and FUSE's FAT
// neither truncates nor says how much space is free. Mounting needs
// root and /dev/fuse (CI here has both); elsewhere the test is skipped,
// saying why. Linux only.
package removable
