//! Parameter styles: which OpenAPI `style` and `explode` a parameter uses, and whether its value fits them.

use crate::diagnostics::{Class, Diagnostics};
use crate::model::{Shape, StringFormat, Style, Ty};

use super::schema::TypeBuilder;

/// Maximum nesting depth of objects in a `deepObject` parameter. Deeper (or recursive) schemas are passed as text.
const MAX_DEEP_OBJECT_DEPTH: usize = 4;

/// Reads the style and `explode` of a parameter and checks that its value can be written in that style.
///
/// Scalars, arrays of scalars and objects of scalars fit every style of their location; `deepObject` also
/// takes arrays of scalars and nested objects as properties. Values that fit no style (nested arrays, maps,
/// unions, arrays and scalars in `deepObject`) become plain strings with a warning.
pub(super) fn check_style(
    types: &TypeBuilder,
    parameter: &openapiv3::Parameter,
    pointer: &str,
    shape: Shape,
    diagnostics: &mut Diagnostics,
) -> (Shape, Style, bool) {
    let style = match parameter {
        openapiv3::Parameter::Query { style, .. } => match style {
            openapiv3::QueryStyle::Form => Style::Form,
            openapiv3::QueryStyle::SpaceDelimited => Style::SpaceDelimited,
            openapiv3::QueryStyle::PipeDelimited => Style::PipeDelimited,
            openapiv3::QueryStyle::DeepObject => Style::DeepObject,
        },
        openapiv3::Parameter::Path { style, .. } => match style {
            openapiv3::PathStyle::Simple => Style::Simple,
            openapiv3::PathStyle::Label => Style::Label,
            openapiv3::PathStyle::Matrix => Style::Matrix,
        },
        openapiv3::Parameter::Header { .. } => Style::Simple,
        openapiv3::Parameter::Cookie { .. } => Style::Form,
    };
    // OpenAPI defaults `explode` to true for the `form` style and to false for the others.
    let explode = parameter.parameter_data_ref().explode.unwrap_or(style == Style::Form);

    let fits = match &shape.ty {
        Ty::Array(items) => style != Style::DeepObject && is_scalar(types, &items.ty),
        Ty::Named(id) if !types.is_enum(*id) => is_object(types, &shape.ty, style == Style::DeepObject, 0),
        ty => style != Style::DeepObject && is_scalar(types, ty),
    };
    if fits {
        return (shape, style, explode);
    }
    let message = if style == Style::DeepObject {
        "a `deepObject` parameter must be an object; the value is passed as text"
    } else {
        "parameters other than scalars, arrays of scalars and objects of scalars are not supported yet; the value is passed as text"
    };
    diagnostics.warn(pointer, Class::NotSupported, message);
    let style = if style == Style::DeepObject { Style::Form } else { style };
    (Shape::new(Ty::String(StringFormat::Plain)), style, explode)
}

fn is_scalar(types: &TypeBuilder, ty: &Ty) -> bool {
    match ty {
        Ty::String(_) | Ty::Integer(_) | Ty::Number | Ty::Boolean => true,
        Ty::Named(id) => types.is_enum(*id),
        _ => false,
    }
}

/// Returns whether `ty` is a struct whose properties fit: scalars, or for `deepObject` also arrays of scalars
/// and nested structs.
fn is_object(types: &TypeBuilder, ty: &Ty, deep: bool, depth: usize) -> bool {
    let Ty::Named(id) = ty else { return false };
    let Some(fields) = types.closed_struct_fields(*id) else { return false };
    if depth >= MAX_DEEP_OBJECT_DEPTH {
        return false;
    }
    fields.iter().all(|field| match &field.shape.ty {
        Ty::Array(items) => deep && is_scalar(types, &items.ty),
        Ty::Named(id) if !types.is_enum(*id) => deep && is_object(types, &field.shape.ty, deep, depth + 1),
        ty => is_scalar(types, ty),
    })
}
